package pathmap

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/covkit/covkit/internal/testbed"
	"github.com/google/go-cmp/cmp"
)

// globCases are include/omit pattern lists with paths to match, "@" being
// the working directory.
var globCases = []struct {
	Patterns []string `json:"patterns"`
	Paths    []string `json:"paths"`
}{
	{[]string{"*/tests/*"}, []string{"/a/tests/x.py", "/a/tests/b/x.py", "tests/x.py", "/a/tests", `C:\a\tests\x.py`, "/a/mytests/x.py"}},
	{[]string{"*.py"}, []string{"a.py", "/x/a.py", "/x/a.pyc", "/x.py/a", `x\a.py`}},
	{[]string{"a?c.py", "[xy]z.py"}, []string{"/d/abc.py", "/d/ac.py", "/d/a/c.py", "/d/xz.py", "/d/Xz.py", "/d/wz.py"}},
	{[]string{"src/*.py"}, []string{"src/a.py", "@/src/a.py", "/x/src/a.py", "src/b/a.py"}},
	{[]string{"src"}, []string{"src", "@/src", "/x/src", "src/a.py"}},
	{[]string{"src/"}, []string{"src/", "src", "@/src/", "@/src/a.py"}},
	{[]string{"src/**/x.py"}, []string{"src/x.py", "src/a/b/x.py", "@/src/a/x.py", "/y/src/x.py"}},
	{[]string{"**/x.py"}, []string{"x.py", "/a/x.py", "a/b/x.py"}},
	{[]string{"*/x/*"}, []string{"/x/a", "x/a", "/b/x/a/b/c", "/b/x/"}},
	{[]string{"/abs/*/m.py"}, []string{"/abs/p/m.py", "/abs/p/q/m.py", `\abs\p\m.py`}},
	{[]string{`C:\proj\*`}, []string{`C:\proj\a.py`, "C:/proj/a/b.py", `c:\proj\a.py`}},
	{[]string{"../up/*"}, []string{"../up/a", "/up/a"}},
	{[]string{"a.b+c(1)/{x}"}, []string{"a.b+c(1)/{x}", "/q/a.b+c(1)/{x}", "aXb+c(1)/{x}"}},
	{[]string{"?/x"}, []string{"a/x", "/a/x", "ab/x"}},
	{[]string{"*"}, []string{"", "a", "/a/b"}},
	{[]string{"a**"}, []string{"a"}},
	{[]string{"**a"}, []string{"a"}},
	{[]string{"a/***/b"}, []string{"a"}},
	{[]string{"a/**/**/b"}, []string{"a"}},
	{[]string{"a[b"}, []string{"a"}},
	{[]string{"a]b"}, []string{"a"}},
	{[]string{"x/[!a]"}, []string{"x/!", "x/a", "x/b"}},
	{[]string{"x/[a-]"}, []string{"x/-", "x/a", "x/b"}},
	{[]string{"*.py", "*/tests/*"}, []string{"/a/b.py", "/a/tests/c.txt", "/a/c.txt"}},
	{[]string{"ünï/*"}, []string{"ünï/a", "ÜNÏ/a"}},
}

var treeCases = []struct {
	Roots []string `json:"roots"`
	Files []string `json:"files"`
}{
	{[]string{"src", "/abs/lib"}, []string{"src/a.py", "@/src/a.py", "@/srcx/a.py", "/abs/lib", "/abs/lib/x/y.py", "/abs/library/x.py", "@/src/../src/a.py", "src"}},
	{[]string{"/"}, []string{"/a.py", "/"}},
	{[]string{"a/b/"}, []string{"a/b/c.py", "a/b"}},
}

var moduleCases = []struct {
	Modules []string `json:"modules"`
	Names   []string `json:"names"`
}{
	{[]string{"pkg", "a.b"}, []string{"pkg", "pkg.sub", "pkgx", "a", "a.b", "a.b.c", "a.bc", ""}},
	{[]string{""}, []string{"x", ".x", ""}},
}

const globScript = `
import json, os, sys
import coverage.files as f
cases = json.load(open(sys.argv[1]))
os.chdir(cases["dir"])
f.set_relative_directory()
globs = []
for c in cases["globs"]:
    try:
        m = f.GlobMatcher(f.prep_patterns(c["patterns"]))
    except Exception as e:
        globs.append({"error": str(e)})
        continue
    globs.append({"match": [m.match(p) for p in c["paths"]]})
trees = [[f.TreeMatcher(c["roots"]).match(p) for p in c["files"]] for c in cases["trees"]]
mods = [[f.ModuleMatcher(c["modules"]).match(p) for p in c["names"]] for c in cases["modules"]]
print(json.dumps({"globs": globs, "trees": trees, "modules": mods}))
`

type globResult struct {
	Error string `json:"error,omitempty"`
	Match []bool `json:"match,omitempty"`
}

type matcherResults struct {
	Globs   []globResult `json:"globs"`
	Trees   [][]bool     `json:"trees"`
	Modules [][]bool     `json:"modules"`
}

func matchersHere(dir string) matcherResults {
	var r matcherResults
	for _, c := range globCases {
		g, err := NewGlobMatcher(c.Patterns, dir)
		if err != nil {
			r.Globs = append(r.Globs, globResult{Error: err.Error()})
			continue
		}
		var m []bool
		for _, p := range expandAt(c.Paths, dir) {
			m = append(m, g.Match(p))
		}
		r.Globs = append(r.Globs, globResult{Match: m})
	}
	for _, c := range treeCases {
		tm := NewTreeMatcher(c.Roots, dir)
		var m []bool
		for _, p := range expandAt(c.Files, dir) {
			m = append(m, tm.Match(p))
		}
		r.Trees = append(r.Trees, m)
	}
	for _, c := range moduleCases {
		mm := NewModuleMatcher(c.Modules)
		var m []bool
		for _, p := range c.Names {
			m = append(m, mm.Match(p))
		}
		r.Modules = append(r.Modules, m)
	}
	return r
}

func TestMatchersOracle(t *testing.T) {
	// coverage.py 6.5 used fnmatch, so only the 7.x beds are compared.
	for _, name := range []string{"trixie", "sid"} {
		t.Run(name, func(t *testing.T) {
			b := testbed.Get(t, name)
			host, inBed := b.TempDir(t)
			in := map[string]any{"dir": inBed, "trees": treeCases, "modules": moduleCases}
			var globs []map[string]any
			for _, c := range globCases {
				globs = append(globs, map[string]any{"patterns": c.Patterns, "paths": expandAt(c.Paths, inBed)})
			}
			in["globs"] = globs
			trees := []map[string]any{}
			for _, c := range treeCases {
				trees = append(trees, map[string]any{"roots": c.Roots, "files": expandAt(c.Files, inBed)})
			}
			in["trees"] = trees
			js, _ := json.Marshal(in)
			if err := os.WriteFile(filepath.Join(host, "cases.json"), js, 0o644); err != nil {
				t.Fatal(err)
			}
			res := b.MustRun(t, inBed, nil, b.Python, "-c", globScript, filepath.Join(inBed, "cases.json"))
			var want matcherResults
			if err := json.Unmarshal([]byte(res.Stdout), &want); err != nil {
				t.Fatalf("oracle output: %v\n%s", err, res.Stdout)
			}
			got := matchersHere(inBed)
			// Python's re errors word things differently; agreeing that
			// a pattern is bad is what matters, except for coverage.py's
			// own messages.
			for i := range want.Globs {
				w, g := want.Globs[i].Error, got.Globs[i].Error
				if w != "" && g != "" && !strings.HasPrefix(w, "File pattern") {
					got.Globs[i].Error = w
				}
			}
			if name == "trixie" {
				// 7.6's TreeMatcher compared paths as written (see doc.go).
				want.Trees = got.Trees
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("(-coverage.py +pathmap):\n%s", d)
			}
		})
	}
}
