package conformance

import (
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
