// Package testcombine combines a test's data files with covkit's merge where
// coverage.py cannot: its tests share it instead of each spelling it out.
package testcombine

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/covkit/covkit/leancov"
	"github.com/covkit/covkit/merge"
	"github.com/covkit/covkit/sqlitecov"
)

// Lean merges the data files in dir (a host path) with covkit's
// merge into dir/.coverage, paths kept as recorded, when the lean engine
// wrote some of them: coverage.py cannot read those. It returns false, and
// does nothing, when there are none (coverage.py's combine can do it).
func Lean(t testing.TB, dir string) bool {
	t.Helper()
	if lean, _ := filepath.Glob(filepath.Join(dir, leancov.FilePrefix+"*")); len(lean) == 0 {
		return false
	}
	in, err := merge.Inputs(filepath.Join(dir, ".coverage"), nil)
	if err != nil {
		t.Fatal(err)
	}
	d, sum, err := merge.Run(merge.Options{Inputs: in})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Unusable) > 0 {
		t.Fatalf("unusable data files: %v", sum.Unusable)
	}
	if err := sqlitecov.WriteFile(filepath.Join(dir, ".coverage"), d); err != nil {
		t.Fatal(err)
	}
	for _, f := range sum.Consumed() {
		os.Remove(f)
	}
	return true
}
