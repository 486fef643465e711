package analysis

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/covkit/covkit/covconfig"
	"github.com/covkit/covkit/internal/testfiles"
	"github.com/covkit/covkit/releases"
	"github.com/covkit/covkit/sqlitecov"
)

// stubSource has the lines the issue saw differ under coverage.py 6.5:
// a bare "..." body after a return annotation, which coverage.py 7.10+
// excludes by default (with the blank lines the multi-line match spans) and
// 6.5 counts as a statement, and "if typing.TYPE_CHECKING:". The figures are
// coverage.py's own in the sid bed.
const stubSource = "import typing\n\n\ndef opener() -> typing.IO:\n    ...\nx = 1\nif typing.TYPE_CHECKING:\n    import os\n"

func v(s string) releases.Version {
	r, err := releases.Parse(s)
	if err != nil {
		panic(err)
	}
	return r
}

// TestDataVersionsDecide is the first two defects: 6.5 data reported
// with no flags (it was analysed as 3.14/7.16), and 6.5 data reported with
// 7.16's default exclusions.
func TestDataVersionsDecide(t *testing.T) {
	dir, _ := filepath.EvalSymlinks(t.TempDir())
	testfiles.Write(t, dir, map[string]string{
		"m.py":                                stubSource,
		"__pycache__/m.cpython-311.pyc":       "",
		"__pycache__/m.cpython-311.opt-1.pyc": "",
	})
	config, err := covconfig.Load(covconfig.LoadOptions{Dir: dir, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name     string
		version  string
		flags    Versions
		excluded []int
		wantWarn string
	}{
		{"6.5 data, no flags", "6.5.0", Versions{}, nil, ""},
		{"7.6 data", "7.6.0", Versions{}, nil, ""},
		{"7.16 data", "7.16.1", Versions{}, []int{2, 3, 4, 5, 7, 8}, ""},
		// 7.10.0 had TYPE_CHECKING as an always-partial branch, not excluded.
		{"7.10.0 data", "7.10.0", Versions{}, []int{2, 3, 4, 5}, ""},
		{"6.5 data, flags say 7.16", "6.5.0", Versions{Coverage: "7.16"}, []int{2, 3, 4, 5, 7, 8}, ""},
		{"no version at all", "", Versions{}, []int{2, 3, 4, 5, 7, 8}, "the data does not say which coverage.py measured it: analysing it as coverage.py 7.16.1; set --coverage-version to choose"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := lineData(map[string][]int{filepath.Join(dir, "m.py"): {1}})
			if tt.version != "" {
				d.Meta["version"] = tt.version
			}
			var warns []string
			vs := tt.flags
			res, err := Build(d, Options{
				Dir: dir, Analyzer: PySourceAnalyzer(), Regexes: config.Regexes(), Versions: &vs,
				Warn: func(s string) { warns = append(warns, s) },
			})
			if err != nil {
				t.Fatal(err)
			}
			f := res.Set.Files[0]
			if !slices.Equal(f.Excluded, tt.excluded) {
				t.Errorf("excluded %v, want %v", f.Excluded, tt.excluded)
			}
			if got := res.Measured.Targets[0].Python; got != (releases.Version{Major: 3, Minor: 11}) {
				t.Errorf("analysed as CPython %v, want 3.11 (the bytecode caches' tag)", got)
			}
			if tt.wantWarn == "" && len(warns) > 0 || tt.wantWarn != "" && !slices.Contains(warns, tt.wantWarn) {
				t.Errorf("warnings %q, want %q", warns, tt.wantWarn)
			}
		})
	}
}

// TestPythonEvidence: what decides the CPython version, and when it is
// announced as a guess.
func TestPythonEvidence(t *testing.T) {
	py := func(minor int, cov string) Interpreter {
		return Interpreter{Path: "/usr/bin/python3." + string(rune('0'+minor%10)), Python: releases.Version{Major: 3, Minor: minor}, Coverage: cov}
	}
	tests := []struct {
		name     string
		files    map[string]string // beside the measured /p/a.py and /p/b.py
		paths    []string
		record   []sqlitecov.Source
		flag     string
		interps  []Interpreter
		want     string
		wantWarn string // a substring; "" for none
	}{
		{name: "recorded", record: []sqlitecov.Source{{Python: "3.12", Coverage: "7.6.0"}}, want: "3.12"},
		{name: "flag wins", record: []sqlitecov.Source{{Python: "3.12", Coverage: "7.6.0"}}, flag: "3.9", want: "3.9"},
		{name: "caches agree", files: map[string]string{"__pycache__/a.cpython-313.pyc": "", "__pycache__/b.cpython-313.pyc": ""}, want: "3.13"},
		{name: "lib path", paths: []string{"/venv/lib/python3.10/site-packages/x.py"}, want: "3.10"},
		{name: "caches disagree, PATH decides", files: map[string]string{"__pycache__/a.cpython-314.pyc": "", "__pycache__/a.cpython-315.pyc": ""},
			interps: []Interpreter{py(15, ""), py(14, "7.6.0")}, want: "3.14", wantWarn: "name several"},
		{name: "no evidence, PATH with the same coverage.py", interps: []Interpreter{py(12, ""), py(11, "7.6.0")}, want: "3.11", wantWarn: "analysing it as CPython 3.11"},
		{name: "no evidence, any PATH python", interps: []Interpreter{py(12, "")}, want: "3.12", wantWarn: "set --python-version"},
		{name: "nothing at all", want: "3.14", wantWarn: "no bytecode caches"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, _ := filepath.EvalSymlinks(t.TempDir())
			testfiles.Write(t, dir, tt.files)
			d := sqlitecov.NewData()
			d.Meta["version"] = "7.6.0"
			paths := tt.paths
			if paths == nil {
				paths = []string{filepath.Join(dir, "a.py"), filepath.Join(dir, "b.py")}
			}
			for _, p := range paths {
				d.File(p).Lines = map[string][]int{"": {1}}
			}
			if tt.record != nil {
				d.SetMeasured(tt.record)
			}
			var warns []string
			target, _, err := resolveTargets(d, Versions{Python: tt.flag, Interpreters: func() []Interpreter { return tt.interps }},
				func(s string) { warns = append(warns, s) })
			if err != nil {
				t.Fatal(err)
			}
			if got := target(paths[0]).Python.String(); got != tt.want {
				t.Errorf("CPython %s, want %s", got, tt.want)
			}
			all := strings.Join(warns, "\n")
			if tt.wantWarn == "" && all != "" || !strings.Contains(all, tt.wantWarn) {
				t.Errorf("warnings %q, want one with %q", all, tt.wantWarn)
			}
		})
	}
}

// TestMixedVersions: data merged from a matrix of interpreters is analysed
// per file, as the newest source that measured it, and says so.
func TestMixedVersions(t *testing.T) {
	d := sqlitecov.NewData()
	for _, p := range []string{"/p/a.py", "/p/b.py", "/p/c.py"} {
		d.File(p).Lines = map[string][]int{"": {1}}
	}
	d.SetMeasured([]sqlitecov.Source{
		{Python: "3.11", Coverage: "6.5.0", Files: []string{"/p/a.py", "/p/b.py"}},
		{Python: "3.13", Coverage: "7.6.0", Files: []string{"/p/b.py", "/p/c.py"}},
	})
	var warns []string
	target, m, err := resolveTargets(d, Versions{}, func(s string) { warns = append(warns, s) })
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]Target{
		"/p/a.py": {v("3.11"), v("6.5.0")},
		"/p/b.py": {v("3.13"), v("7.6.0")},
		"/p/c.py": {v("3.13"), v("7.6.0")},
	} {
		if got := target(p); got != want {
			t.Errorf("%s: %+v, want %+v", p, got, want)
		}
	}
	if !slices.Equal(m.Coverage, []string{"7.6.0", "6.5.0"}) {
		t.Errorf("measured by %q", m.Coverage)
	}
	if len(warns) != 1 || !strings.Contains(warns[0], "CPython 3.13 with coverage.py 7.6, CPython 3.11 with coverage.py 6.5") {
		t.Errorf("warnings %q", warns)
	}
}
