package pth

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestProbeCache: a probe runs the interpreter once, and again only when
// something it depends on changes (here a package installed into the
// virtualenv's site-packages).
func TestProbeCache(t *testing.T) {
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		t.Skip("no /usr/bin/python3")
	}
	t.Setenv("COVKIT_STATE_DIR", t.TempDir())
	dir := t.TempDir()
	if out, err := exec.Command("/usr/bin/python3", "-m", "venv", "--without-pip", filepath.Join(dir, "venv")).CombinedOutput(); err != nil {
		t.Skipf("no venv: %v %s", err, out)
	}
	// A python that counts its starts.
	count := filepath.Join(dir, "starts")
	py := filepath.Join(dir, "python")
	script := "#!/bin/sh\necho >> " + count + "\nexec " + filepath.Join(dir, "venv", "bin", "python") + " \"$@\"\n"
	if err := os.WriteFile(py, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	starts := func() int {
		b, _ := os.ReadFile(count)
		return strings.Count(string(b), "\n")
	}
	mods := t.TempDir()
	for n, b := range Modules() {
		os.WriteFile(filepath.Join(mods, n), b, 0o644)
	}
	first, err := probe(py, os.Environ(), mods)
	if err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Join(mods, "__pycache__"))
	again, err := probe(py, os.Environ(), mods)
	if err != nil {
		t.Fatal(err)
	}
	if n := starts(); n != 1 {
		t.Errorf("python started %d times for two probes, want 1", n)
	}
	if again.InterpKey != first.InterpKey || len(again.Pycs) == 0 || len(again.SitePackages) == 0 {
		t.Errorf("cached probe %+v differs from %+v", again, first)
	}
	if m, _ := filepath.Glob(filepath.Join(mods, "__pycache__", "*.pyc")); len(m) != len(moduleNames) {
		t.Errorf("cached probe wrote %v, want the %d compiled modules", m, len(moduleNames))
	}
	// A package installed: the site-packages directory changed.
	if err := os.WriteFile(filepath.Join(first.SitePackages[0], "newpkg.py"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := probe(py, os.Environ(), mods); err != nil {
		t.Fatal(err)
	}
	if n := starts(); n != 2 {
		t.Errorf("python started %d times after site-packages changed, want 2", n)
	}
	// Another environment is another probe.
	if _, err := probe(py, append(os.Environ(), "PYTHONPATH=/nonexistent"), mods); err != nil {
		t.Fatal(err)
	}
	if n := starts(); n != 3 {
		t.Errorf("python started %d times for a new PYTHONPATH, want 3", n)
	}
}
