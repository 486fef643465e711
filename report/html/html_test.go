package html

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/covkit/covkit/report"
)

var update = flag.Bool("update", false, "rewrite golden files (and, in the browser test, the screenshots)")

// readDir returns every file Write left in dir, by name.
func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if !e.Type().IsRegular() {
			t.Errorf("%s: not a regular file", e.Name())
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}

func TestGolden(t *testing.T) {
	ctx := map[string]map[int][]string{
		"/proj/pkg/mod.py": {1: {"python3 -m pytest tests", "python3 worker.py --id 1"}, 2: {""}, 9: {"python3 -m pytest tests"}},
	}
	cases := []struct {
		name string
		set  *report.Set
		opts Options
	}{
		{"lines", fixtureLines(), Options{Now: fixtureNow, ShowContexts: true, Contexts: func(f *report.File) map[int][]string { return ctx[f.Filename] }}},
		{"branches", fixtureBranches(), Options{Now: fixtureNow, Title: "Branchy <project>", Precision: 2, History: fixtureHistory()}},
		{"skip", fixtureLines(), Options{Now: fixtureNow, SkipCovered: true, SkipEmpty: true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := Write(dir, tc.set, tc.opts); err != nil {
				t.Fatal(err)
			}
			got := readDir(t, dir)
			golden := filepath.Join("testdata", "golden", tc.name)
			if *update {
				os.RemoveAll(golden)
				os.MkdirAll(golden, 0o777)
				for name, b := range got {
					if name == cssName || name == jsName || name == ".gitignore" {
						continue // the embedded assets are their own source
					}
					if err := os.WriteFile(filepath.Join(golden, name), b, 0o666); err != nil {
						t.Fatal(err)
					}
				}
			}
			want := readDir(t, golden)
			for name, b := range want {
				if !bytes.Equal(got[name], b) {
					t.Errorf("%s differs from %s (run go test -update to refresh)", name, filepath.Join(golden, name))
				}
			}
			for name := range got {
				if _, ok := want[name]; !ok && name != cssName && name != jsName && name != ".gitignore" {
					t.Errorf("unexpected file %s", name)
				}
			}
		})
	}
}

// TestDeterministic: two writes of the same report are byte-identical.
func TestDeterministic(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	for _, d := range []string{a, b} {
		if err := Write(d, fixtureBranches(), Options{Now: fixtureNow, History: fixtureHistory()}); err != nil {
			t.Fatal(err)
		}
	}
	ra, rb := readDir(t, a), readDir(t, b)
	if len(ra) != len(rb) {
		t.Fatalf("%d files vs %d", len(ra), len(rb))
	}
	for n, x := range ra {
		if !bytes.Equal(x, rb[n]) {
			t.Errorf("%s differs between runs", n)
		}
	}
}

var tfootRE = regexp.MustCompile(`<tfoot><tr class="total"><td class="name">Total</td>(.*?)</tr></tfoot>`)
var cellRE = regexp.MustCompile(`<td[^>]*>([^<]*)</td>`)

// TestTotalsMatchText: the index's totals row has the text report's TOTAL
// figures, whatever the precision and options.
func TestTotalsMatchText(t *testing.T) {
	for _, prec := range []int{0, 1, 2, 4} {
		for _, set := range []*report.Set{fixtureLines(), fixtureBranches()} {
			var text bytes.Buffer
			if _, err := report.WriteText(&text, set, &report.Options{Precision: prec}); err != nil {
				t.Fatal(err)
			}
			var totalRow []string
			for _, l := range strings.Split(text.String(), "\n") {
				if strings.HasPrefix(l, "TOTAL") {
					totalRow = strings.Fields(l)[1:]
				}
			}
			dir := t.TempDir()
			if err := Write(dir, set, Options{Precision: prec, Now: fixtureNow}); err != nil {
				t.Fatal(err)
			}
			idx, _ := os.ReadFile(filepath.Join(dir, indexName))
			m := tfootRE.FindSubmatch(idx)
			if m == nil {
				t.Fatal("no totals row")
			}
			var cells []string
			for _, c := range cellRE.FindAllSubmatch(m[1], -1) {
				cells = append(cells, string(c[1]))
			}
			// The HTML has an extra "excluded" column after "missing".
			cells = append(cells[:2:2], cells[3:]...)
			if strings.Join(cells, " ") != strings.Join(totalRow, " ") {
				t.Errorf("precision %d arcs %v: html totals %q, text TOTAL %q", prec, set.HasArcs, cells, totalRow)
			}
		}
	}
}

func TestNoData(t *testing.T) {
	if err := Write(t.TempDir(), &report.Set{}, Options{}); err != report.ErrNoData {
		t.Fatalf("got %v, want ErrNoData", err)
	}
}

// BenchmarkWrite measures the HTML writer alone on a synthetic 300-file set.
func BenchmarkWrite(b *testing.B) {
	set := &report.Set{}
	var src strings.Builder
	var stmts, exec []int
	for i := 1; i <= 200; i++ {
		fmt.Fprintf(&src, "def f%d(x):  # comment\n    return x + %d if x > 'a' else \"%d\"\n", i, i, i)
		stmts = append(stmts, 2*i-1, 2*i)
		if i%3 != 0 {
			exec = append(exec, 2*i-1, 2*i)
		}
	}
	for i := range 300 {
		set.Files = append(set.Files, &report.File{Filename: fmt.Sprintf("/p/pkg/mod_%03d.py", i), RelName: fmt.Sprintf("pkg/mod_%03d.py", i), Source: src.String(), Statements: stmts, Executed: exec})
	}
	dir := b.TempDir()
	b.ResetTimer()
	for range b.N {
		if err := Write(dir, set, Options{Now: fixtureNow}); err != nil {
			b.Fatal(err)
		}
	}
}

var rowRE = regexp.MustCompile(`<tr data-n="[^"]*" data-filter="([^"]*)">(.*?)</tr>`)

// TestRegionIndexes: the function and class indexes have a row per region
// plus the lines outside them, with the figures package report gives the
// narrowed file, and their totals are the files' totals.
func TestRegionIndexes(t *testing.T) {
	for _, set := range []*report.Set{fixtureLines(), fixtureBranches()} {
		dir := t.TempDir()
		if err := Write(dir, set, Options{Now: fixtureNow}); err != nil {
			t.Fatal(err)
		}
		idx, _ := os.ReadFile(filepath.Join(dir, indexName))
		want := tfootRE.FindSubmatch(idx)[1]
		for _, page := range []string{functionIndex, classIndex} {
			b, err := os.ReadFile(filepath.Join(dir, page))
			if err != nil {
				t.Fatal(err)
			}
			m := regexp.MustCompile(`<tfoot><tr class="total"><td class="name" colspan="2">Total</td>(.*?)</tr></tfoot>`).FindSubmatch(b)
			if m == nil || !bytes.Equal(m[1], want) {
				t.Errorf("%s (arcs %v) totals differ from the file index", page, set.HasArcs)
			}
		}
	}
	dir := t.TempDir()
	if err := Write(dir, fixtureLines(), Options{Now: fixtureNow}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, functionIndex))
	var got []string
	for _, m := range rowRE.FindAllStringSubmatch(string(b), -1) {
		var cells []string
		for _, c := range cellRE.FindAllStringSubmatch(strings.ReplaceAll(strings.ReplaceAll(m[2], "</a>", ""), "<i>", ""), -1) {
			cells = append(cells, c[1])
		}
		got = append(got, m[1]+": "+strings.Join(cells, " "))
	}
	wantRows := []string{
		"pkg/__init__.py : pkg/__init__.py 0 0 0 100%",
		"pkg/mod.py greet: pkg/mod.py 3 1 0 67%",
		"pkg/mod.py Shape.area: pkg/mod.py 0 0 1 100%",
		"pkg/mod.py Shape.describe: pkg/mod.py 2 2 0 0%",
		"pkg/mod.py _unused: pkg/mod.py 4 4 0 0%",
		"pkg/mod.py : pkg/mod.py 8 0 1 100%", // (no function): 1 2 4 7 14 15 20 26, excluded 17
		"pkg/util.py : pkg/util.py 11 0 0 100%",
	}
	if strings.Join(got, "\n") != strings.Join(wantRows, "\n") {
		t.Errorf("function index rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantRows, "\n"))
	}
	// Without regions, no region indexes.
	dir = t.TempDir()
	set := fixtureLines()
	for _, f := range set.Files {
		f.Regions = nil
	}
	Write(dir, set, Options{Now: fixtureNow})
	if _, err := os.Stat(filepath.Join(dir, functionIndex)); err == nil {
		t.Error("function index written without regions")
	}
}
