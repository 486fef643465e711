package html

import (
	"reflect"
	"testing"

	"github.com/covkit/covkit/report"
	"github.com/covkit/covkit/sqlitecov"
)

func TestLineContexts(t *testing.T) {
	f := &sqlitecov.File{Lines: map[string][]int{
		"python3 -m pytest": {1, 2, 5},
		"":                  {1},
		"python3 worker.py": {2},
	}}
	want := map[int][]string{1: {"", "python3 -m pytest"}, 2: {"python3 -m pytest", "python3 worker.py"}, 5: {"python3 -m pytest"}}
	if got := LineContexts(f); !reflect.DeepEqual(got, want) {
		t.Errorf("lines: got %v, want %v", got, want)
	}
	arcs := &sqlitecov.File{Arcs: map[string][][2]int{"a": {{-1, 1}, {1, 3}, {3, -1}}, "b": {{-1, 1}, {1, 2}}}}
	want = map[int][]string{1: {"a", "b"}, 2: {"b"}, 3: {"a"}}
	if got := LineContexts(arcs); !reflect.DeepEqual(got, want) {
		t.Errorf("arcs: got %v, want %v", got, want)
	}
	if LineContexts(nil) != nil {
		t.Error("nil file has contexts")
	}
}

func TestDataContexts(t *testing.T) {
	d := sqlitecov.NewData()
	d.Files["/proj/pkg/a.py"] = &sqlitecov.File{Path: "/proj/pkg/a.py", Lines: map[string][]int{"p1": {1}}}
	d.Files["rel/b.py"] = &sqlitecov.File{Path: "rel/b.py", Lines: map[string][]int{"p2": {2}}}
	d.Files["/build/x/pkg/c.pyc"] = &sqlitecov.File{Path: "/build/x/pkg/c.pyc", Lines: map[string][]int{"p3": {3}}}
	d.Files["/other/pkg/dup.py"] = &sqlitecov.File{Path: "/other/pkg/dup.py", Lines: map[string][]int{"p4": {4}}}
	d.Files["/else/pkg/dup.py"] = &sqlitecov.File{Path: "/else/pkg/dup.py", Lines: map[string][]int{"p5": {5}}}
	get := DataContexts(d, "/proj")
	tests := []struct {
		f    report.File
		want map[int][]string
	}{
		{report.File{Filename: "/proj/pkg/a.py", RelName: "pkg/a.py"}, map[int][]string{1: {"p1"}}},
		{report.File{Filename: "/proj/rel/b.py", RelName: "rel/b.py"}, map[int][]string{2: {"p2"}}},
		{report.File{Filename: "rel/b.py", RelName: "rel/b.py"}, map[int][]string{2: {"p2"}}},
		{report.File{Filename: "/build/x/pkg/c.py", RelName: "/build/x/pkg/c.py"}, map[int][]string{3: {"p3"}}},
		// remapped by [paths]: found by its report name
		{report.File{Filename: "/ci/checkout/pkg/a.py", RelName: "pkg/a.py"}, map[int][]string{1: {"p1"}}},
		{report.File{Filename: "/proj/dup.py", RelName: "pkg/dup.py"}, nil},
		{report.File{Filename: "/nowhere/z.py", RelName: "z.py"}, nil},
	}
	for _, tt := range tests {
		got := get(&tt.f)
		if len(got) == 0 && len(tt.want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.f.Filename, got, tt.want)
		}
	}
}
