//go:build unix

package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/covkit/covkit/internal/testnodes"
	"github.com/covkit/covkit/sqlitecov"
)

// --html on a full disk: one error line, exit 1, no report directory left
// (issue 16: 70 error lines and a partial directory).
func TestHTMLOnFullDisk(t *testing.T) {
	proj := t.TempDir()
	d := sqlitecov.NewData()
	d.Meta["version"] = "7.16.1"
	d.HasLines = true
	src := strings.Repeat("x = 1\n", 400)
	for i := range 70 {
		p := filepath.Join(proj, fmt.Sprintf("mod_%02d.py", i))
		if err := os.WriteFile(p, []byte(src), 0o666); err != nil {
			t.Fatal(err)
		}
		d.File(p).Lines = map[string][]int{"": {1, 2, 3}}
	}
	data := filepath.Join(proj, ".coverage")
	if err := sqlitecov.WriteFile(data, d); err != nil {
		t.Fatal(err)
	}
	full := t.TempDir()
	testnodes.Tmpfs(t, full, 128<<10)

	var stdout, stderr bytes.Buffer
	code := run([]string{"--python-version", "3.14", "--html", filepath.Join(full, "htmlcov"), data}, nil, &stdout, &stderr)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if lines := strings.Split(strings.TrimSpace(stderr.String()), "\n"); len(lines) != 1 || !strings.Contains(lines[0], "no space left on device") {
		t.Errorf("stderr: want one line saying the disk is full, got:\n%s", stderr.String())
	}
	if ents, _ := os.ReadDir(full); len(ents) != 0 {
		t.Errorf("left on the full disk: %v", ents)
	}
}
