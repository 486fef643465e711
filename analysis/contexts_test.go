package analysis

import (
	"reflect"
	"testing"

	"github.com/covkit/covkit/report"
	"github.com/covkit/covkit/sqlitecov"
)

// TestLineContexts: for each executed line, the contexts that executed it,
// sorted; for branch data a line counts as executed in a context when an
// arc of that context starts or ends on it. (The HTML report's contexts
// come from here too.)
func TestLineContexts(t *testing.T) {
	asMap := func(lcs []report.LineContexts) map[int][]string {
		if lcs == nil {
			return nil
		}
		m := map[int][]string{}
		for _, lc := range lcs {
			m[lc.Line] = lc.Contexts
		}
		return m
	}
	f := &sqlitecov.File{Lines: map[string][]int{
		"python3 -m pytest": {1, 2, 5},
		"":                  {1},
		"python3 worker.py": {2},
	}}
	want := map[int][]string{1: {"", "python3 -m pytest"}, 2: {"python3 -m pytest", "python3 worker.py"}, 5: {"python3 -m pytest"}}
	if got := asMap(lineContexts(f)); !reflect.DeepEqual(got, want) {
		t.Errorf("lines: got %v, want %v", got, want)
	}
	arcs := &sqlitecov.File{Arcs: map[string][][2]int{"a": {{-1, 1}, {1, 3}, {3, -1}}, "b": {{-1, 1}, {1, 2}}}}
	want = map[int][]string{1: {"a", "b"}, 2: {"b"}, 3: {"a"}}
	if got := asMap(lineContexts(arcs)); !reflect.DeepEqual(got, want) {
		t.Errorf("arcs: got %v, want %v", got, want)
	}
	if len(lineContexts(&sqlitecov.File{})) != 0 {
		t.Error("a file without data has contexts")
	}
}
