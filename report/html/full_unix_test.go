//go:build unix

package html

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/covkit/covkit/internal/testnodes"
	"github.com/covkit/covkit/report"
)

// On a full disk the report fails with one error and leaves nothing behind:
// no new directory, no partial report in an old one (issue 16: 70 error
// lines and a half-written directory).
func TestFullDisk(t *testing.T) {
	root := t.TempDir()
	testnodes.Tmpfs(t, root, 256<<10)
	old := filepath.Join(root, "old")
	if err := Write(old, fixtureLines(), Options{Now: fixtureNow}); err != nil {
		t.Fatal(err)
	}
	before := readDir(t, old)

	// 70 files whose pages need far more room than the 256 kB there are.
	big := &report.Set{}
	src := strings.Repeat("x = 1\n", 400)
	var stmts, run []int
	for l := 1; l <= 400; l++ {
		stmts = append(stmts, l)
		if l%2 == 0 {
			run = append(run, l)
		}
	}
	for i := range 70 {
		name := fmt.Sprintf("mod_%02d.py", i)
		big.Files = append(big.Files, &report.File{Filename: "/p/" + name, RelName: name, Source: src, Statements: stmts, Executed: run})
	}
	for _, dir := range []string{filepath.Join(root, "htmlcov"), old} {
		err := Write(dir, big, Options{Now: fixtureNow})
		if err == nil {
			t.Fatal("a report bigger than the disk was written")
		}
		if msg := err.Error(); strings.Count(msg, "\n") > 0 || !strings.Contains(msg, "no space left on device") || strings.Contains(msg, "covkit-tmp") {
			t.Errorf("error %q: want one line saying the disk is full, naming no temporary file", msg)
		}
	}
	ents, _ := os.ReadDir(root)
	if len(ents) != 1 || ents[0].Name() != "old" {
		t.Errorf("left beside the old report: %v", ents)
	}
	if diff := cmp.Diff(before, readDir(t, old)); diff != "" {
		t.Errorf("the old report changed (-before +after):\n%s", diff)
	}
}
