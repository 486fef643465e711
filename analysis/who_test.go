package analysis

import (
	"errors"
	"slices"
	"testing"

	"github.com/covkit/covkit/sqlitecov"
)

func TestParseSpot(t *testing.T) {
	tests := []struct {
		in      string
		want    Spot
		wantErr bool
	}{
		{"mod.py:12", Spot{"mod.py", 12}, false},
		{"/src/a:b.py:3", Spot{"/src/a:b.py", 3}, false},
		{`C:\src\mod.py:4`, Spot{`C:\src\mod.py`, 4}, false},
		{"mod.py", Spot{}, true},
		{"mod.py:", Spot{}, true},
		{":3", Spot{}, true},
		{"mod.py:0", Spot{}, true},
		{"mod.py:-2", Spot{}, true},
		{"mod.py:1x", Spot{}, true},
	}
	for _, tt := range tests {
		got, err := ParseSpot(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("ParseSpot(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestWho(t *testing.T) {
	d := sqlitecov.NewData()
	d.HasLines = true
	f := d.File("/src/pkg/mod.py")
	f.Lines = map[string][]int{"t::b|run": {1, 2}, "t::a|run": {2, 3}, "": {2}}
	d.File("/src/other/mod.py").Lines = map[string][]int{"": {1}}
	d.File("/src/pkg/solo.py").Lines = map[string][]int{"x": {9}}
	tests := []struct {
		spot     Spot
		contexts []string // sorted
		file     string
		err      string
	}{
		{Spot{"/src/pkg/mod.py", 2}, []string{"", "t::a|run", "t::b|run"}, "/src/pkg/mod.py", ""},
		{Spot{"pkg/mod.py", 1}, []string{"t::b|run"}, "/src/pkg/mod.py", ""},
		{Spot{"solo.py", 9}, []string{"x"}, "/src/pkg/solo.py", ""},
		{Spot{"/src/pkg/mod.py", 4}, nil, "/src/pkg/mod.py", "/src/pkg/mod.py:4: the line did not run"},
		{Spot{"mod.py", 1}, nil, "", "mod.py is ambiguous: it could be /src/other/mod.py, /src/pkg/mod.py"},
		{Spot{"nope.py", 1}, nil, "", "nope.py is not in the data"},
		{Spot{"kg/mod.py", 1}, nil, "", "kg/mod.py is not in the data"},
	}
	for _, tt := range tests {
		file, got, err := Who(d, tt.spot, WhoOptions{Dir: "/elsewhere"})
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		if file != tt.file || !slices.Equal(got, tt.contexts) || msg != tt.err {
			t.Errorf("Who(%v) = %q, %q, %q; want %q, %q, %q", tt.spot, file, got, msg, tt.file, tt.contexts, tt.err)
		}
		if tt.contexts == nil && tt.file != "" && !errors.Is(err, ErrNotRun) {
			t.Errorf("Who(%v): error %v is not ErrNotRun", tt.spot, err)
		}
	}
}
