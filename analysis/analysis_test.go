package analysis

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/covkit/covkit/internal/testfiles"
	"github.com/covkit/covkit/pathmap"
	"github.com/covkit/covkit/releases"
	"github.com/covkit/covkit/report"
	"github.com/covkit/covkit/sqlitecov"
)

// fakeAnalyzer: every non-blank line is a statement, "#x" lines are
// excluded, "SYNTAX" makes the file not Python, and a line ending in "\"
// continues onto the next.
func fakeAnalyzer(filename string, src []byte, _ Target, _ releases.Regexes) (*Parsed, error) {
	text := string(src)
	if strings.Contains(text, "SYNTAX") {
		return nil, &NotPythonError{Msg: "Couldn't parse '" + filename + "' as Python source: 'invalid syntax' at line 1"}
	}
	p := &Parsed{}
	first := map[int]int{}
	cont := 0
	for i, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		n := i + 1
		if cont != 0 {
			first[n] = cont
		} else if strings.HasSuffix(l, "#x") {
			p.Excluded = append(p.Excluded, n)
		} else if strings.TrimSpace(l) != "" {
			p.Statements = append(p.Statements, n)
		}
		if strings.HasSuffix(l, `\`) {
			if cont == 0 {
				cont = n
			}
		} else {
			cont = 0
		}
	}
	p.FirstLine = func(l int) int {
		if f, ok := first[l]; ok {
			return f
		}
		return l
	}
	return p, nil
}

func lineData(files map[string][]int) *sqlitecov.Data {
	d := sqlitecov.NewData()
	d.HasLines = true
	for p, ls := range files {
		d.File(p).Lines = map[string][]int{"": ls}
	}
	return d
}

func names(s *report.Set) []string {
	var out []string
	for _, f := range s.Files {
		out = append(out, f.RelName)
	}
	return out
}

func TestBuild(t *testing.T) {
	dir, _ := filepath.EvalSymlinks(t.TempDir())
	testfiles.Write(t, dir, map[string]string{
		"a.py":       "x = 1\ny = (1, \\\n  2)\nz = 3\n",
		"pkg/b.py":   "a = 1\nb = 2 #x\nc = 3\n",
		"pkg/bad.py": "SYNTAX\n",
		"page.html":  "SYNTAX\n",
		"c.py":       "q = 1\n",
	})
	abs := func(p string) string { return filepath.Join(dir, p) }
	tests := []struct {
		name      string
		data      map[string][]int
		opts      Options
		wantNames []string
		wantErr   string
		wantWarn  string
	}{
		{
			name:      "relative names, sorted by file name, non-Python skipped",
			data:      map[string][]int{abs("pkg/b.py"): {1}, abs("a.py"): {1, 3}, abs("page.html"): {1}, abs("c.pyc"): {1}},
			wantNames: []string{"a.py", "c.py", "pkg/b.py"},
		},
		{
			name:      "include and omit",
			data:      map[string][]int{abs("pkg/b.py"): {1}, abs("a.py"): {1}, abs("c.py"): {1}},
			opts:      Options{Include: []string{"*.py"}, Omit: []string{"pkg/*"}},
			wantNames: []string{"a.py", "c.py"},
		},
		{
			name:    "nothing left",
			data:    map[string][]int{abs("a.py"): {1}},
			opts:    Options{Omit: []string{"*"}},
			wantErr: "No data to report.",
		},
		{
			name:    "no source",
			data:    map[string][]int{abs("gone.py"): {1}, abs("a.py"): {1}},
			wantErr: "No source for code: '" + abs("gone.py") + "'.",
		},
		{
			name:      "no source ignored",
			data:      map[string][]int{abs("gone.py"): {1}, abs("a.py"): {1}},
			opts:      Options{IgnoreErrors: true},
			wantNames: []string{"a.py"},
			wantWarn:  "Couldn't parse '" + abs("gone.py") + "': No source for code: '" + abs("gone.py") + "'.",
		},
		{
			name:    "not Python",
			data:    map[string][]int{abs("pkg/bad.py"): {1}},
			wantErr: "Couldn't parse '" + abs("pkg/bad.py") + "' as Python source: 'invalid syntax' at line 1",
		},
		{
			name:      "not Python ignored",
			data:      map[string][]int{abs("pkg/bad.py"): {1}, abs("c.py"): {1}},
			opts:      Options{IgnoreErrors: true},
			wantNames: []string{"c.py"},
			wantWarn:  "Couldn't parse Python file '" + abs("pkg/bad.py") + "'",
		},
		{
			name:      "paths remap",
			data:      map[string][]int{"/elsewhere/src/a.py": {1}},
			opts:      Options{Paths: []pathmap.Rule{{Result: dir, Patterns: []string{"/elsewhere/src"}}}},
			wantNames: []string{"a.py"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var warns []string
			tt.opts.Dir = dir
			tt.opts.Analyzer = fakeAnalyzer
			tt.opts.Warn = func(s string) { warns = append(warns, s) }
			res, err := Build(lineData(tt.data), tt.opts)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := names(res.Set); !slices.Equal(got, tt.wantNames) {
				t.Errorf("files %q, want %q", got, tt.wantNames)
			}
			if tt.wantWarn != "" && !slices.Contains(warns, tt.wantWarn) {
				t.Errorf("warnings %q, want %q", warns, tt.wantWarn)
			}
		})
	}
}

func TestBuildLines(t *testing.T) {
	dir, _ := filepath.EvalSymlinks(t.TempDir())
	testfiles.Write(t, dir, map[string]string{"a.py": "x = 1\ny = (1, \\\n  2)\nz = 3 #x\nw = 4\n"})
	// Line 3 belongs to the statement on line 2; 9 is no statement.
	d := lineData(map[string][]int{filepath.Join(dir, "a.py"): {1, 3, 9}})
	res, err := Build(d, Options{Dir: dir, Analyzer: fakeAnalyzer})
	if err != nil {
		t.Fatal(err)
	}
	f := res.Set.Files[0]
	if !slices.Equal(f.Statements, []int{1, 2, 5}) || !slices.Equal(f.Excluded, []int{4}) || !slices.Equal(f.Executed, []int{1, 2}) {
		t.Errorf("statements %v excluded %v executed %v", f.Statements, f.Excluded, f.Executed)
	}
	if f.Source != "x = 1\ny = (1, \\\n  2)\nz = 3 #x\nw = 4\n" {
		t.Errorf("source %q", f.Source)
	}
}

func TestBuildArcsWarns(t *testing.T) {
	dir, _ := filepath.EvalSymlinks(t.TempDir())
	testfiles.Write(t, dir, map[string]string{"a.py": "x = 1\nif x:\n  y = 2\n"})
	d := sqlitecov.NewData()
	d.HasArcs = true
	d.File(filepath.Join(dir, "a.py")).Arcs = map[string][][2]int{"": {{-1, 1}, {1, 2}, {2, -1}}}
	var warns []string
	res, err := Build(d, Options{Dir: dir, Analyzer: fakeAnalyzer, Warn: func(s string) { warns = append(warns, s) }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Set.HasArcs || !res.BranchData {
		t.Errorf("HasArcs %v BranchData %v", res.Set.HasArcs, res.BranchData)
	}
	if got := res.Set.Files[0].Executed; !slices.Equal(got, []int{1, 2}) {
		t.Errorf("executed lines from arcs: %v", got)
	}
	if len(warns) != 1 || !strings.Contains(warns[0], "branch figures are not reported yet") {
		t.Errorf("warnings %q", warns)
	}
}

func TestPythonSource(t *testing.T) {
	tests := map[string]string{
		"a = 1":                           "a = 1\n",
		"a\r\nb\rc\n":                     "a\nb\nc\n",
		"x\fy\n":                          "x y\n",
		"# coding: latin-1\ns = '\xe9'\n": "# coding: latin-1\ns = 'é'\n",
		"s = '\xff'\n":                    "s = '\ufffd'\n",
		"\xef\xbb\xbfa = 1\n":             "a = 1\n",
		"":                                "",
		"#!/usr/bin/env python\n# -*- coding: iso-8859-1 -*-\n'\xe9'": "#!/usr/bin/env python\n# -*- coding: iso-8859-1 -*-\n'é'\n",
	}
	for in, want := range tests {
		if got := PythonSource([]byte(in)); got != want {
			t.Errorf("PythonSource(%q) = %q, want %q", in, got, want)
		}
	}
}
