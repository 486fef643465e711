package sqlitecov

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMeasured(t *testing.T) {
	d := NewData()
	d.Meta["version"] = "6.5.0"
	got, err := d.Measured()
	if err != nil || !cmp.Equal(got, []Source{{Coverage: "6.5.0"}}) {
		t.Errorf("plain data: %+v, %v", got, err)
	}
	d.SetMeasured([]Source{{Python: "3.14", Coverage: "7.16", Engine: "covkit"}})
	if v := d.Meta[MeasuredKey]; v != `[{"python":"3.14","coverage":"7.16","engine":"covkit"}]` {
		t.Errorf("meta %s", v)
	}
	// The record survives a write and a read (coverage.py keeps it too:
	// it reads only has_arcs from the meta table).
	path := filepath.Join(t.TempDir(), ".coverage")
	d.HasLines = true
	d.File("/p/a.py").Lines = map[string][]int{"": {1}}
	if err := WriteFile(path, d); err != nil {
		t.Fatal(err)
	}
	r, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := r.Measured(); !cmp.Equal(got, []Source{{Python: "3.14", Coverage: "7.16", Engine: "covkit"}}) {
		t.Errorf("read back %+v", got)
	}
	d.Meta[MeasuredKey] = "{"
	if _, err := d.Measured(); err == nil {
		t.Error("a broken record gave no error")
	}
}

// TestUpdateJoinsMeasured: Update keeps coverage.py's version alone for
// equal plain data, and records per file (paths mapped) otherwise.
func TestUpdateJoinsMeasured(t *testing.T) {
	mk := func(version string, paths ...string) *Data {
		d := NewData()
		d.HasLines = true
		d.Meta["version"] = version
		for _, p := range paths {
			d.File(p).Lines = map[string][]int{"": {1}}
		}
		return d
	}
	d := NewData()
	if err := d.Update(mk("6.5.0", "/a.py"), nil); err != nil {
		t.Fatal(err)
	}
	if err := d.Update(mk("6.5.0", "/b.py"), nil); err != nil {
		t.Fatal(err)
	}
	if _, ok := d.Meta[MeasuredKey]; ok || d.Meta["version"] != "6.5.0" {
		t.Errorf("equal plain data: meta %v", d.Meta)
	}
	if err := d.Update(mk("7.6.0", "/ci/b.py", "/ci/c.py"), func(p string) string { return filepath.Join("/", filepath.Base(p)) }); err != nil {
		t.Fatal(err)
	}
	got, _ := d.Measured()
	want := []Source{{Coverage: "6.5.0", Files: []string{"/a.py", "/b.py"}}, {Coverage: "7.6.0", Files: []string{"/b.py", "/c.py"}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("joined (-want +got):\n%s", diff)
	}
}
