package pathmap_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/covkit/covkit/covconfig"
	"github.com/covkit/covkit/internal/testbed"
	"github.com/covkit/covkit/pathmap"
	"github.com/google/go-cmp/cmp"
)

// combineFiles are the data files of the combine oracle, in the order
// coverage.py combines them (sorted names), each with its measured paths.
var combineFiles = []struct {
	name  string
	paths []string
}{
	{".coverage.1", []string{"/ci/x/pkg/a.py", "/ci/x/src/m.py", `C:\ci\src\w.py`}},
	{".coverage.2", []string{"pkg/b.py", "/ci/y/src/n.py"}},
	{".coverage.3", []string{"/ci/x/pkg/a.py", "/ci/y/pkg/c.py", "/ci/z/pkg/nope.py", "lib/q.py"}},
}

const combineScript = `
import os, sys, json
from coverage import Coverage
from coverage.data import CoverageData
files = json.load(open(sys.argv[1]))
for name, paths in files:
    d = CoverageData(name)
    d.add_lines({p: [1] for p in paths})
    d.write()
cov = Coverage()
cov.combine()
cov.save()
d = CoverageData(".coverage")
d.read()
print(json.dumps(sorted(d.measured_files())))
`

// TestCombineOracle runs a real "coverage combine" with [paths] and
// relative_files and checks that pathmap's memoised Func, applied in
// combine's order with coverage.py's slash fixing, names the same files.
func TestCombineOracle(t *testing.T) {
	b := testbed.Get(t, "sid")
	host, inBed := b.TempDir(t)
	rc := "[run]\nrelative_files = true\n[paths]\nsource =\n    src/\n    /ci/*/src\n    C:\\ci\\src\n"
	files := map[string]string{".coveragerc": rc, "src/m.py": "", "src/n.py": "", "src/w.py": "", "pkg/a.py": "", "pkg/b.py": "", "pkg/c.py": "", "lib/q.py": ""}
	for name, data := range files {
		p := filepath.Join(host, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var in [][]any
	for _, f := range combineFiles {
		in = append(in, []any{f.name, f.paths})
	}
	js, _ := json.Marshal(in)
	os.WriteFile(filepath.Join(host, "files.json"), js, 0o644)
	res := b.MustRun(t, inBed, nil, b.Python, "-c", combineScript, inBed+"/files.json")
	var want []string
	if err := json.Unmarshal([]byte(res.Stdout), &want); err != nil {
		t.Fatalf("oracle: %v\n%s", err, res.Stdout)
	}

	cfg, err := covconfig.Load(covconfig.LoadOptions{Dir: host, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	m, err := pathmap.Compile(cfg.PathRules(), pathmap.Options{RelativeFiles: cfg.Run.RelativeFiles, Dir: host})
	if err != nil {
		t.Fatal(err)
	}
	mapPath := m.Func()
	// (Map without the memo would also rename the second /ci/x/pkg/a.py,
	// through the */pkg rule learnt from pkg/b.py; coverage.py does not.)
	t.Logf("coverage combine: %q", want)
	slashes := regexp.MustCompile(`[/\\]`)
	seen := map[string]bool{}
	for _, f := range combineFiles {
		for _, p := range f.paths {
			seen[slashes.ReplaceAllString(mapPath(p), "/")] = true
		}
	}
	var got []string
	for p := range seen {
		got = append(got, strings.Replace(p, host, inBed, 1))
	}
	sort.Strings(got)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-coverage combine +pathmap):\n%s", d)
	}
}
