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

// oracleCase is a PathAliases scenario run both here and in real
// coverage.py. Paths are mapped in order, on one PathAliases, so implicit
// relative_files rules learnt early apply later, as in a combine.
type oracleCase struct {
	Name     string   `json:"name"`
	Rules    []Rule   `json:"rules"`
	Relative bool     `json:"relative"`
	Exists   []string `json:"exists"` // nil: everything exists
	Paths    []string `json:"paths"`
	// Differs names the beds whose coverage.py is known to answer
	// differently (see the package doc); they are not compared.
	Differs []string `json:"-"`
}

// "@" in a case stands for the directory the mapping runs in.
var oracleCases = []oracleCase{
	{Name: "absolute prefix", Rules: []Rule{{"/src/", []string{"/ci/build/proj"}}},
		Paths: []string{"/ci/build/proj/a.py", "/ci/build/proj/pkg/b.py", "/ci/build/project/a.py", "/CI/Build/PROJ/x.py", "/other/a.py"}},
	{Name: "star one component", Rules: []Rule{{"/src", []string{"/ci/*/proj/"}}},
		Paths:   []string{"/ci/job1/proj/a.py", "/ci/j/o/proj/a.py", "/ci//proj/a.py", "/ci/x/proj"},
		Differs: []string{"host"}},
	{Name: "leading star", Rules: []Rule{{"/src/", []string{"*/proj"}}},
		Paths:   []string{"/a/b/proj/m.py", "proj/m.py", "/a/proj/b/proj/m.py", "/x/projx/m.py", `C:\w\proj\m.py`},
		Differs: []string{"host"}},
	{Name: "double star", Rules: []Rule{{"/src/", []string{"/ci/**/proj"}}},
		Paths:   []string{"/ci/proj/a.py", "/ci/a/b/c/proj/a.py", "/ci/a/proj/b/proj/a.py"},
		Differs: []string{"host"}},
	{Name: "windows data to posix result", Rules: []Rule{{"/src/", []string{`C:\Users\me\proj`, `D:/proj`}}},
		Paths: []string{`C:\Users\me\proj\pkg\a.py`, `c:\users\ME\PROJ\a.py`, `D:\proj\x\y.py`, `D:/proj/x\y.py`}},
	{Name: "posix data to windows result", Rules: []Rule{{`C:\src`, []string{"/ci/proj"}}},
		Paths: []string{"/ci/proj/a/b.py"}},
	{Name: "relative windows result", Relative: true, Rules: []Rule{{`src\`, []string{"/ci/proj/src"}}},
		Paths: []string{"/ci/proj/src/a/b.py"}},
	{Name: "first existing rule wins", Rules: []Rule{{"/one/", []string{"/ci/proj"}}, {"/two/", []string{"/ci/proj"}}},
		Exists:  []string{"/two/a.py", "/one/b.py"},
		Paths:   []string{"/ci/proj/a.py", "/ci/proj/b.py", "/ci/proj/c.py"},
		Differs: []string{"host"}},
	{Name: "relative pattern made absolute", Rules: []Rule{{"/src/", []string{"build/lib"}}},
		Paths: []string{"@/build/lib/a.py", "build/lib/a.py", "/x/build/lib/a.py"}},
	{Name: "relative files", Relative: true, Rules: []Rule{{"src/", []string{"build/lib", "*/site-packages"}}},
		Paths:   []string{"build/lib/a.py", "/venv/lib/python3/site-packages/pkg/m.py", "@/build/lib/b.py"},
		Differs: []string{"host"}},
	{Name: "relative files implicit rule", Relative: true,
		Paths:   []string{"pkg/a.py", "/ci/checkout/pkg/b.py", "@/pkg/c.py", "/x/top.py", `pkg\w.py`, "other/d.py", "/ci/other/e.py", "/a/pkg/b/pkg/c.py"},
		Differs: []string{"host"}},
	{Name: "relative files implicit rule needs existence", Relative: true,
		Exists: []string{"pkg/a.py"},
		Paths:  []string{"/ci/pkg/a.py", "/ci/pkg/b.py"}},
	{Name: "dot result", Relative: true, Rules: []Rule{{"./", []string{"/ci/proj"}}, {"./lib", []string{"/ci/lib"}}},
		Paths:   []string{"/ci/proj/a.py", "/ci/lib/b.py"},
		Differs: []string{"host"}},
	{Name: "result repeated in path", Rules: []Rule{{"/s/", []string{"/a"}}},
		Paths:   []string{"/a/x/a/y.py"},
		Differs: []string{"trixie", "host"}},
	{Name: "prefix text repeated", Rules: []Rule{{"/r/", []string{"*/p"}}},
		Paths: []string{"/x/p/y/x/p/z.py"}},
	{Name: "question mark and class", Rules: []Rule{{"/src/", []string{"/ci/job?/[a-c]x"}}},
		Paths: []string{"/ci/job1/ax/m.py", "/ci/job12/ax/m.py", "/ci/job1/dx/m.py", "/ci/job1/AX/m.py"}},
	{Name: "negated class", Rules: []Rule{{"/src/", []string{"/ci/[!0-9]/p", "/cj/[^0-9]/p"}}},
		Paths:   []string{"/ci/a/p/m.py", "/ci/!/p/m.py", "/ci/5/p/m.py", "/cj/a/p/m.py", "/cj/5/p/m.py"},
		Differs: []string{"host"}},
	{Name: "special characters", Rules: []Rule{{"/src/", []string{"/ci/a.b+c (1)/$x{y}"}}},
		Paths: []string{"/ci/a.b+c (1)/$x{y}/m.py", "/ci/aXb+c (1)/$x{y}/m.py"}},
	{Name: "unicode", Rules: []Rule{{"/src/", []string{"/ci/Ünï/ß"}}},
		Paths: []string{"/ci/Ünï/ß/m.py", "/ci/ünÏ/ß/m.py"}},
	{Name: "root pattern", Rules: []Rule{{"/src/", []string{"/"}}},
		Paths: []string{"/a/b.py"}, Differs: []string{"trixie", "host"}},
	{Name: "backslash pattern", Rules: []Rule{{"/src/", []string{`\ci\proj`}}},
		Paths:   []string{"/ci/proj/a.py", `\ci\proj\a.py`, "@/ci/proj/a.py"},
		Differs: []string{"host"}},
	{Name: "ends with wildcard", Rules: []Rule{{"/src/", []string{"/ci/*"}}}, Paths: []string{"/ci/a.py"}},
	{Name: "ends with wildcard slash", Rules: []Rule{{"/src/", []string{"/ci/*/"}}}, Paths: []string{"/ci/a.py"}},
	{Name: "bad pattern", Rules: []Rule{{"/src/", []string{"/ci/a**/x"}}}, Paths: []string{"/ci/a.py"},
		Differs: []string{"host"}},
	{Name: "triple star", Rules: []Rule{{"/src/", []string{"/ci/***/x"}}}, Paths: []string{"/ci/a.py"},
		Differs: []string{"host"}},
	{Name: "lone bracket", Rules: []Rule{{"/src/", []string{"/ci/a[/x"}}}, Paths: []string{"/ci/a.py"},
		Differs: []string{"host"}},
	{Name: "zip archive path", Rules: []Rule{{"/src/", []string{"/ci/proj"}}},
		Paths: []string{"/ci/proj/dist/x.whl/pkg/m.py"}},
}

const oracleScript = `
import json, os, sys
import coverage.files as f
from coverage.files import PathAliases
cases = json.load(open(sys.argv[1]))
out = []
for c in cases:
    os.chdir(c["dir"])
    f.set_relative_directory()
    try:
        a = PathAliases(relative=c["relative"])
        for r in c["rules"] or []:
            for p in r["Patterns"]:
                a.add(p, r["Result"])
    except Exception as e:
        out.append({"error": str(e)})
        continue
    ex = set(c["exists"]) if c["exists"] is not None else None
    exists = (lambda p: p in ex) if ex is not None else (lambda p: True)
    res = []
    for p in c["paths"]:
        try:
            res.append(a.map(p, exists=exists))
        except TypeError:
            res.append(a.map(p))
    out.append({"mapped": res})
print(json.dumps(out))
`

type oracleResult struct {
	Error  string   `json:"error,omitempty"`
	Mapped []string `json:"mapped,omitempty"`
}

func expandAt(s []string, dir string) []string {
	if s == nil {
		return nil
	}
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = strings.ReplaceAll(v, "@", dir)
	}
	return out
}

// runGo maps a case with this package, answering like the oracle script.
func runGo(c oracleCase, dir string) oracleResult {
	opts := Options{RelativeFiles: c.Relative, Dir: dir, Exists: func(string) bool { return true }}
	if c.Exists != nil {
		set := map[string]bool{}
		for _, e := range expandAt(c.Exists, dir) {
			set[e] = true
		}
		opts.Exists = func(p string) bool { return set[p] }
	}
	m, err := Compile(c.Rules, opts)
	if err != nil {
		var pe *PatternError
		if !asPatternError(err, &pe) {
			return oracleResult{Error: err.Error()}
		}
		return oracleResult{Error: pe.Msg}
	}
	var r oracleResult
	for _, p := range expandAt(c.Paths, dir) {
		got, _ := m.Map(p)
		r.Mapped = append(r.Mapped, got)
	}
	return r
}

func TestPathAliasesOracle(t *testing.T) {
	for _, name := range testbed.Names {
		t.Run(name, func(t *testing.T) {
			b := testbed.Get(t, name)
			host, inBed := b.TempDir(t)
			type pyCase struct {
				Dir      string   `json:"dir"`
				Rules    []Rule   `json:"rules"`
				Relative bool     `json:"relative"`
				Exists   []string `json:"exists"`
				Paths    []string `json:"paths"`
			}
			var in []pyCase
			for _, c := range oracleCases {
				in = append(in, pyCase{inBed, c.Rules, c.Relative, expandAt(c.Exists, inBed), expandAt(c.Paths, inBed)})
			}
			js, _ := json.Marshal(in)
			if err := os.WriteFile(filepath.Join(host, "cases.json"), js, 0o644); err != nil {
				t.Fatal(err)
			}
			res := b.MustRun(t, inBed, nil, b.Python, "-c", oracleScript, filepath.Join(inBed, "cases.json"))
			var want []oracleResult
			if err := json.Unmarshal([]byte(res.Stdout), &want); err != nil {
				t.Fatalf("oracle output: %v\n%s", err, res.Stdout)
			}
			compared := 0
			for i, c := range oracleCases {
				got := runGo(c, inBed)
				differs := false
				for _, d := range c.Differs {
					differs = differs || d == name
				}
				diff := cmp.Diff(want[i], got)
				switch {
				case differs && diff == "":
					t.Logf("%s: case %q was expected to differ but agrees", name, c.Name)
				case differs:
					t.Logf("%s: case %q differs as documented:\n%s", name, c.Name, diff)
				case diff != "":
					t.Errorf("%s: case %q (-coverage.py +pathmap):\n%s", name, c.Name, diff)
				default:
					compared++
				}
			}
			t.Logf("%s: %d of %d cases agree with coverage.py", name, compared, len(oracleCases))
		})
	}
}
