package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/covkit/covkit/internal/testnodes"
	"github.com/covkit/covkit/pth"
)

// fakeInterpreter makes, in a fresh directory with a state directory of
// its own, an interpreter stand-in whose only site-packages directory is
// site: it answers covhook's probe and nothing else.
func fakeInterpreter(t *testing.T) (py, site string) {
	t.Helper()
	t.Setenv("COVKIT_STATE_DIR", t.TempDir())
	dir := t.TempDir()
	site = filepath.Join(dir, "site-packages")
	if err := os.Mkdir(site, 0o755); err != nil {
		t.Fatal(err)
	}
	py = filepath.Join(dir, "python3")
	probe := fmt.Sprintf(`{"executable": %q, "version": "3.11.2", "prefix": %q, "base_prefix": %q, "path": [%q], "site": [%q]}`,
		py, dir, dir, site, site)
	if err := os.WriteFile(py, []byte("#!/bin/sh\necho '"+probe+"'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return py, site
}

func runCovhook(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, strings.NewReader(""), &o, &e)
	return code, o.String(), e.String()
}

// On a read-only site-packages, install fails (issue 16: it exited 0 having
// installed nothing), remove with nothing to remove succeeds (it failed on
// the files that were not there), and remove of a hook that is there
// fails, saying why.
func TestReadOnlySitePackages(t *testing.T) {
	py, site := fakeInterpreter(t)
	testnodes.ReadOnly(t, site)

	code, stdout, stderr := runCovhook("install", "--python", py)
	if code != 1 || !strings.Contains(stderr, "covhook: "+py+": ") || !strings.Contains(stderr, site) {
		t.Errorf("install: exit %d, stdout %q, stderr %q; want exit 1 and an error naming %s", code, stdout, stderr, site)
	}
	if ents, _ := os.ReadDir(site); len(ents) != 0 {
		t.Errorf("install left %v", ents)
	}

	code, stdout, stderr = runCovhook("remove", "--python", py)
	if code != 0 || stdout != "" || stderr != "" {
		t.Errorf("remove with nothing installed: exit %d, stdout %q, stderr %q; want exit 0 and no output", code, stdout, stderr)
	}
}

func TestReadOnlySitePackagesWithHook(t *testing.T) {
	py, site := fakeInterpreter(t)
	if code, _, stderr := runCovhook("install", "--python", py); code != 0 {
		t.Fatalf("install: exit %d: %s", code, stderr)
	}
	testnodes.ReadOnly(t, site)
	code, _, stderr := runCovhook("remove", "--python", py)
	if code != 1 || !strings.Contains(stderr, "read-only file system") {
		t.Errorf("remove of a hook on a read-only file system: exit %d, stderr %q; want exit 1 saying why", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(site, pth.HookFile)); err != nil {
		t.Errorf("the hook is gone from a read-only directory: %v", err)
	}
}
