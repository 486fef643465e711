package pathmap

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/covkit/covkit/internal/testbed"
)

// randomPattern builds patterns from the characters coverage.py's glob
// tokenizer treats specially, so odd combinations get exercised.
func randomPattern(r *rand.Rand) string {
	atoms := []string{"a", "b", "A", "x1", "/", "/", "/", `\`, "*", "*", "**", "?", "[ab]", "[!a]", "[^b]", "[a-c]", "[", "]", ".", "-", "_", " ", "é", "{a,b}", "***", "$", "(", "+"}
	n := 1 + r.IntN(7)
	var b strings.Builder
	for range n {
		b.WriteString(atoms[r.IntN(len(atoms))])
	}
	return b.String()
}

func randomPath(r *rand.Rand) string {
	atoms := []string{"a", "b", "A", "B", "x1", "é", "É", ".", "-", "_", " ", "!", "[", "{a,b}", "$", "(", "+", "ab", "c.py"}
	var b strings.Builder
	if r.IntN(3) > 0 {
		b.WriteString([]string{"/", `\`, "C:\\", "c:/"}[r.IntN(4)])
	}
	segs := 1 + r.IntN(5)
	sep := []string{"/", "/", `\`}[r.IntN(3)]
	for i := range segs {
		if i > 0 {
			b.WriteString(sep)
		}
		for range 1 + r.IntN(2) {
			b.WriteString(atoms[r.IntN(len(atoms))])
		}
	}
	return b.String()
}

const randomScript = `
import json, os, sys
import coverage.files as f
data = json.load(open(sys.argv[1]))
os.chdir(data["dir"])
f.set_relative_directory()
globs = []
for pat in data["globs"]:
    try:
        m = f.GlobMatcher([pat])
    except Exception as e:
        globs.append(None)
        continue
    globs.append([m.match(p) for p in data["paths"]])
aliases = []
for c in data["aliases"]:
    try:
        a = f.PathAliases(relative=c["relative"])
        a.add(c["pattern"], c["result"])
    except Exception as e:
        aliases.append(None)
        continue
    aliases.append([a.map(p, exists=lambda p: True) for p in data["paths"]])
print(json.dumps({"globs": globs, "aliases": aliases}))
`

// TestRandomOracle compares thousands of generated patterns and paths with
// coverage.py 7.16's GlobMatcher and PathAliases.
func TestRandomOracle(t *testing.T) {
	b := testbed.Get(t, "sid")
	host, inBed := b.TempDir(t)
	seed := uint64(1)
	if v, err := strconv.ParseUint(os.Getenv("COVKIT_ORACLE_SEED"), 10, 64); err == nil {
		seed = v
	}
	r := rand.New(rand.NewPCG(seed, 2))
	var globs, paths []string
	for range 400 {
		globs = append(globs, randomPattern(r))
	}
	for range 60 {
		paths = append(paths, randomPath(r))
	}
	type aliasCase struct {
		Pattern  string `json:"pattern"`
		Result   string `json:"result"`
		Relative bool   `json:"relative"`
	}
	var aliases []aliasCase
	for range 300 {
		aliases = append(aliases, aliasCase{randomPattern(r), []string{"/r/", `C:\r`, "r", "./r/"}[r.IntN(4)], r.IntN(2) == 0})
	}
	// Paths that the alias patterns can actually match.
	for _, a := range aliases[:40] {
		p := strings.NewReplacer("**", "q/q", "*", "z", "?", "y", "[ab]", "a", "[!a]", "c", "[^b]", "a", "[a-c]", "b").Replace(a.Pattern)
		paths = append(paths, p+"/m.py")
	}
	js, _ := json.Marshal(map[string]any{"dir": inBed, "globs": globs, "paths": paths, "aliases": aliases})
	if err := os.WriteFile(filepath.Join(host, "cases.json"), js, 0o644); err != nil {
		t.Fatal(err)
	}
	res := b.MustRun(t, inBed, nil, b.Python, "-c", randomScript, inBed+"/cases.json")
	var want struct {
		Globs   [][]bool   `json:"globs"`
		Aliases [][]string `json:"aliases"`
	}
	if err := json.Unmarshal([]byte(res.Stdout), &want); err != nil {
		t.Fatalf("oracle output: %v\n%s", err, res.Stdout)
	}
	fails, checks := 0, 0
	for i, pat := range globs {
		g, err := CompileGlobs([]string{pat})
		c, f := agree(t, fmt.Sprintf("pattern %q", pat), err, want.Globs[i], paths, func(p string) bool { return g.Match(p) })
		checks, fails = checks+c, fails+f
	}
	for i, a := range aliases {
		m, err := Compile([]Rule{{a.Result, []string{a.Pattern}}}, Options{RelativeFiles: a.Relative, Dir: inBed, Exists: func(string) bool { return true }})
		c, f := agree(t, fmt.Sprintf("alias %+v", a), err, want.Aliases[i], paths, func(p string) string {
			got, _ := m.Map(p)
			return got
		})
		checks, fails = checks+c, fails+f
		if fails > 30 {
			t.Fatal("too many failures")
		}
	}
	t.Logf("%d comparisons, %d disagreements", checks, fails)
}

// agree compares what one compiled pattern or alias (err from compiling it)
// answers for each path with coverage.py's answers, want (nil where
// coverage.py refused it), reporting each disagreement; it returns how many
// comparisons it made and how many disagreed.
func agree[T comparable](t *testing.T, what string, err error, want []T, paths []string, got func(string) T) (checks, fails int) {
	t.Helper()
	if (err != nil) != (want == nil) {
		t.Errorf("%s: error %v, coverage.py error %v", what, err, want == nil)
		return 0, 1
	}
	if err != nil {
		return 0, 0
	}
	for j, p := range paths {
		checks++
		if g := got(p); g != want[j] {
			t.Errorf("%s path %q: %#v, coverage.py %#v", what, p, g, want[j])
			fails++
		}
	}
	return checks, fails
}
