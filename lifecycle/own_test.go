package lifecycle

import (
	"slices"
	"testing"

	"github.com/covkit/covkit/sqlitecov"
	"github.com/google/go-cmp/cmp"
)

// TestDropOwnFiles: covkit's own modules (its pytest plugin, which
// coverage.py measures where it is the engine) leave the data; the
// project's files, even beside the run directory, stay.
func TestDropOwnFiles(t *testing.T) {
	d := &sqlitecov.Data{Files: map[string]*sqlitecov.File{}}
	for _, p := range []string{
		"/tmp/covkit-run-1/plugins/_covkit_pytest.py",
		"/tmp/covkit-run-1/boot/sitecustomize.py",
		"/tmp/covkit-run-10/app.py",
		"/tmp/covkit-run-1.py",
		"/proj/app.py",
	} {
		d.Files[p] = &sqlitecov.File{Path: p}
	}
	dropOwnFiles(d, "/tmp/covkit-run-1")
	var got []string
	for p := range d.Files {
		got = append(got, p)
	}
	slices.Sort(got)
	if want := []string{"/proj/app.py", "/tmp/covkit-run-1.py", "/tmp/covkit-run-10/app.py"}; !cmp.Equal(got, want) {
		t.Errorf("kept %q, want %q", got, want)
	}
}
