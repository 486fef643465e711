package conformance

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDiff(t *testing.T) {
	extra, missing := Diff([]int{1, 2, 4, 4}, []int{2, 3, 4})
	if !cmp.Equal(extra, []int{1}) || !cmp.Equal(missing, []int{3}) {
		t.Errorf("Diff = %v, %v", extra, missing)
	}
	ea, ma := Diff([][2]int{{1, 2}}, [][2]int{{1, 2}, {2, -1}})
	if len(ea) != 0 || !cmp.Equal(ma, [][2]int{{2, -1}}) {
		t.Errorf("Diff arcs = %v, %v", ea, ma)
	}
}

func TestSummarize(t *testing.T) {
	got := Summarize([]Mismatch{
		{"b cause", "x.py", []int{3}},
		{"a cause", "x.py", []int{1}},
		{"b cause", "y.py", []int{7}},
		{"b cause", "y.py", []int{8}},
	})
	lines := strings.Split(strings.TrimSpace(got), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 groups:\n%s", got)
	}
	// The cause in the most files comes first; cases count every mismatch.
	if !strings.HasPrefix(strings.TrimSpace(lines[0]), "b cause") || !strings.Contains(lines[0], "2 files     3 cases; e.g. x.py:[3] y.py:[7] y.py:[8]") {
		t.Errorf("first group: %q", lines[0])
	}
	if !strings.Contains(lines[1], "a cause") || !strings.Contains(lines[1], "1 files     1 cases; e.g. x.py:[1]") {
		t.Errorf("second group: %q", lines[1])
	}
}

func TestSample(t *testing.T) {
	files := map[string]int{}
	for i := range 20 {
		files[fmt.Sprintf("lib/f%02d.py", i)] = i
	}
	files["snip/a.py"] = 0
	isSnippet := func(p string) bool { return strings.HasPrefix(p, "snip/") }

	t.Setenv("COVKIT_CONFORMANCE", "")
	t.Setenv("COVKIT_CONFORMANCE_FILE", "")
	paths, one := Sample(t, "x", files, isSnippet)
	// Every seventh path in order (f00, f07, f14) and every snippet.
	want := []string{"lib/f00.py", "lib/f07.py", "lib/f14.py", "snip/a.py"}
	if !cmp.Equal(paths, want) || one {
		t.Errorf("sample = %v, %v; want %v", paths, one, want)
	}

	t.Setenv("COVKIT_CONFORMANCE", "full")
	if paths, _ := Sample(t, "x", files, isSnippet); len(paths) != len(files) {
		t.Errorf("full: %d paths, want %d", len(paths), len(files))
	}

	t.Setenv("COVKIT_CONFORMANCE_FILE", "lib/f03.py")
	if paths, one := Sample(t, "x", files, isSnippet); !cmp.Equal(paths, []string{"lib/f03.py"}) || !one {
		t.Errorf("one file: %v, %v", paths, one)
	}
}

func TestBedNames(t *testing.T) {
	for env, want := range map[string][]string{"sid": {"sid"}, "host,sid": {"host", "sid"}, "none": nil} {
		t.Setenv("COVKIT_CONFORMANCE_BED", env)
		if got := BedNames(); !cmp.Equal(got, want) {
			t.Errorf("COVKIT_CONFORMANCE_BED=%q: %v, want %v", env, got, want)
		}
	}
}
