package filesel

import (
	"slices"
	"strings"
	"testing"
)

// TestOmitDirs: only "*/DIR/*" patterns give a DIR, and every path holding
// "/DIR/" is one the exact rule omits (a measuring process may skip it).
func TestOmitDirs(t *testing.T) {
	omit := []string{
		"*/joblib/externals/*", "*/vendor/*", "*/a.b-c/d_e/*",
		"src/gen/*", "*/x*/*", "*/tests/*.py", "*/?/*", "*/[ab]/*", "/abs/*",
	}
	s, err := New(Config{Omit: omit}, "/proj")
	if err != nil {
		t.Fatal(err)
	}
	got := s.OmitDirs()
	want := []string{"joblib/externals", "vendor", "a.b-c/d_e"}
	if !slices.Equal(got, want) {
		t.Fatalf("OmitDirs = %q, want %q", got, want)
	}
	for _, p := range []string{"*/*", "*//*", "*/c\\d/*", "*/a//b/*", "*/a/*/b/*"} {
		if s, _ := New(Config{Omit: []string{p}}, "/proj"); len(s.OmitDirs()) != 0 {
			t.Errorf("%s gives %q", p, s.OmitDirs())
		}
	}
	in := Interp{}
	for _, d := range got {
		for _, p := range []string{
			"/" + d + "/x.py",
			"/usr/lib/" + d + "/deep/er/x.py",
			"/work/proj/" + d + "/__init__.py",
			"/a/" + d + "/" + d + "/m.py",
		} {
			if s.Keep(p, "m", in) {
				t.Errorf("Keep(%q) = true: the exact rule measures a file a process would skip for %q", p, d)
			}
		}
		// Near misses stay measured.
		near := []string{"/work/" + d + "y/m.py", "/work/y" + d + "/m.py"}
		if strings.Contains(d, "/") {
			near = append(near, "/work/"+strings.ReplaceAll(d, "/", "_")+"/m.py")
		}
		for _, p := range near {
			if !s.Keep(p, "m", in) {
				t.Errorf("Keep(%q) = false", p)
			}
		}
	}
}
