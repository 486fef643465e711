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

// fsTree is made in the bed's working directory for the filesystem oracle.
func makeFSTree(t *testing.T, dir string) {
	t.Helper()
	for _, f := range []string{"real/pkg/mod.py", "proj/a.py", "proj/sub/b.py", "dist/x.whl", "src/c.py", "lib/d.py"} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{
		"link": "real", "real/up": "..", "loop1": "loop2", "loop2": "loop1",
		"dangling": "nothere", "proj/alias": "../real/pkg", "chain": "link/pkg",
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
}

const fsScript = `
import json, os, sys
import coverage.files as f
data = json.load(open(sys.argv[1]))
os.chdir(data["dir"])
f.set_relative_directory()
out = {"abs": [f.abs_file(p) for p in data["abs"]], "maps": []}
for c in data["maps"]:
    a = f.PathAliases(relative=c["relative"])
    for r in c["rules"]:
        for p in r["Patterns"]:
            a.add(p, r["Result"])
    out["maps"].append([a.map(p) for p in c["paths"]])
out["tree"] = [f.TreeMatcher(["link", "proj/alias"]).match(p) for p in data["abs"]]
print(json.dumps(out))
`

// TestFilesystemOracle compares the parts that look at the disk — abs_file
// with symlinks, loops and dangling links; the existence check with real
// files and archives; relative_filename — with coverage.py 7.16.
func TestFilesystemOracle(t *testing.T) {
	b := testbed.Get(t, "sid")
	host, inBed := b.TempDir(t)
	host, err := filepath.EvalSymlinks(host)
	if err != nil {
		t.Fatal(err)
	}
	makeFSTree(t, host)
	absCases := []string{
		"link/pkg/mod.py", "link/../x", "real/up/link/pkg", "loop1/x", "dangling/y", "./link//pkg/./mod.py",
		"/abs/none", "link/pkg/../pkg/mod.py", "chain/mod.py", "proj/alias/mod.py", "link", "@/link/pkg", "nothing/..", "real/up/real/up",
	}
	type mapCase struct {
		Relative bool     `json:"relative"`
		Rules    []Rule   `json:"rules"`
		Paths    []string `json:"paths"`
	}
	mapCases := []mapCase{
		{false, []Rule{{"proj/", []string{"/ci/src"}}, {"dist", []string{"/ci/src"}}},
			[]string{"/ci/src/a.py", "/ci/src/sub/b.py", "/ci/src/zz.py", "/ci/src/x.whl/m.py", "/ci/src/alias/mod.py"}},
		{true, []Rule{{"proj/", []string{"/ci/src"}}},
			[]string{"/ci/src/a.py", "/ci/src/zz.py", "@/proj/a.py", "@/other/q.py", "/w/src/c.py", "/w/lib/d.py", "/w/lib/none.py", "/v/src/c.py"}},
		{true, []Rule{{"./proj", []string{"*/x"}}, {"./", []string{"*/y"}}},
			[]string{"/a/x/a.py", "/a/y/src/c.py"}},
		{false, []Rule{{"link/pkg", []string{"/m"}}},
			[]string{"/m/mod.py", "/m/none.py"}},
	}
	in := map[string]any{"dir": inBed, "abs": expandAt(absCases, inBed)}
	var maps []mapCase
	for _, c := range mapCases {
		maps = append(maps, mapCase{c.Relative, c.Rules, expandAt(c.Paths, inBed)})
	}
	in["maps"] = maps
	js, _ := json.Marshal(in)
	if err := os.WriteFile(filepath.Join(host, "cases.json"), js, 0o644); err != nil {
		t.Fatal(err)
	}
	res := b.MustRun(t, inBed, nil, b.Python, "-c", fsScript, inBed+"/cases.json")
	type fsResult struct {
		Abs  []string   `json:"abs"`
		Maps [][]string `json:"maps"`
		Tree []bool     `json:"tree"`
	}
	var want fsResult
	if err := json.Unmarshal([]byte(res.Stdout), &want); err != nil {
		t.Fatalf("oracle output: %v\n%s", err, res.Stdout)
	}
	toBed := func(s string) string {
		if strings.HasPrefix(s, host) {
			return inBed + s[len(host):]
		}
		return s
	}
	var got fsResult
	tm := NewTreeMatcher([]string{"link", "proj/alias"}, host)
	for _, p := range expandAt(absCases, host) {
		got.Abs = append(got.Abs, toBed(AbsFile(p, host)))
		got.Tree = append(got.Tree, tm.Match(p))
	}
	for _, c := range mapCases {
		m, err := Compile(c.Rules, Options{RelativeFiles: c.Relative, Dir: host})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range expandAt(c.Paths, host) {
			v, _ := m.Map(p)
			out = append(out, toBed(v))
		}
		got.Maps = append(got.Maps, out)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-coverage.py +pathmap):\n%s", d)
	}
}
