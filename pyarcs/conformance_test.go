package pyarcs

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/covkit/covkit/internal/conformance"
	"github.com/covkit/covkit/internal/testbed"
	"github.com/covkit/covkit/pysource"
)

// The arc conformance harness: coverage.py's PythonParser.arcs() and
// exit_counts(), run inside each test bed over that bed's standard library
// and dist-packages plus testdata/corpus (conformance/dump.py), against
// Arcs. Dumps are cached as JSON next to pysource's
// ($COVKIT_CONFORMANCE_CACHE, default /var/cache/covkit-testbed/conformance),
// keyed by bed and the hash of the dump script and corpus.
//
//	go test ./pyarcs -run TestConformance -v                         # a sample
//	COVKIT_CONFORMANCE=full go test ./pyarcs -run TestConformance -v # every file
//	COVKIT_CONFORMANCE_BED=sid ...                                   # one bed
//	COVKIT_CONFORMANCE_FILE=/usr/lib/python3.14/ast.py ...           # one file, with diffs

//go:embed conformance/dump.py
var dumpScript []byte

type dumpFile struct {
	conformance.Header
	Files map[string]*dumpEntry `json:"files"`
}

type dumpEntry struct {
	conformance.Parsed
	Raw   []int          `json:"raw"`
	Arcs  [][2]int       `json:"arcs"`
	Exits map[string]int `json:"exits"`
	Descs [][4]any       `json:"descs"`
}

const snippetDir = "/tmp/covkit-arcs-snippets"

// extraRunners parses $COVKIT_ARCS_EXTRA: NAME=PYTHON:COVERAGE_PARENT_DIR,
// comma-separated, e.g. py312-cov716=/root/.pyenv/versions/3.12.1/bin/python3:/tmp/covpkgs/716
// where the directory holds (a link to) a coverage package whose parser
// runs under that interpreter.
func extraRunners() []*conformance.Runner {
	var out []*conformance.Runner
	for _, e := range strings.Split(os.Getenv("COVKIT_ARCS_EXTRA"), ",") {
		name, rest, ok := strings.Cut(e, "=")
		if !ok {
			continue
		}
		py, pypath, _ := strings.Cut(rest, ":")
		out = append(out, conformance.HostRunner(name, py, "PYTHONPATH="+pypath))
	}
	return out
}

// snippetCorpora are copied into each bed and dumped besides its library:
// pyarcs' own, and pysource's tricky files (read only).
var snippetCorpora = map[string]string{
	"corpus":   filepath.Join("testdata", "corpus"),
	"pysource": filepath.Join("..", "pysource", "testdata", "corpus"),
}

func loadDump(t *testing.T, b *conformance.Runner) *dumpFile {
	t.Helper()
	h := conformance.NewCacheKey(dumpScript)
	h.Write([]byte(b.Python))
	// A rebuilt bed (more libraries) makes a new dump.
	h.Write([]byte(b.Stamp))
	names := conformance.CopyCorpora(t, snippetCorpora, b.HostPath(snippetDir), h)
	cache := conformance.CachePath("arcs-"+b.Name, h)
	var args []string
	if os.Getenv("COVKIT_CONFORMANCE_SNIPPETS") != "" {
		// The snippets alone, never cached.
		cache = ""
	} else {
		args = append(args, "@stdlib")
	}
	for _, n := range names {
		args = append(args, snippetDir+"/"+n)
	}
	data := conformance.Dump(t, b, dumpScript, cache, args, 20*time.Minute)
	var d dumpFile
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("%s: %v", cache, err)
	}
	return &d
}

// compareFile compares Arcs with coverage.py's entry for one file.
func compareFile(path string, src []byte, want *dumpEntry, popts pysource.Options, verbose bool) []conformance.Mismatch {
	var out []conformance.Mismatch
	add := func(cause string, arcs ...[2]int) {
		out = append(out, conformance.Mismatch{Cause: cause, File: path, Where: arcs})
	}
	if want.Error != "" || want.Crash != "" {
		if want.Crash != "" {
			add("coverage.py crashes: " + conformance.FirstWords(want.Crash))
		}
		return out
	}
	a, err := pysource.Analyze(path, src, popts)
	if err != nil {
		add("pysource refuses the file")
		return out
	}
	if !slices.Equal(a.Statements, want.Statements) || !slices.Equal(a.Excluded, want.Excluded) {
		// Arcs built on different statements cannot agree; that is
		// pysource's conformance, measured by its own harness.
		add("pysource statements or exclusions differ")
		return out
	}
	raw := pysource.CodeLines(a.Module, popts.Version, popts.Coverage.AtLeast(7, 10))
	if len(a.Module.Body) == 0 {
		raw = nil
	}
	gotRaw, wantRaw := map[int]bool{}, map[int]bool{}
	for l := range raw {
		gotRaw[a.FirstLine(l)] = true
	}
	for _, l := range want.Raw {
		wantRaw[a.FirstLine(l)] = true
	}
	if !slices.Equal(sortedKeys(gotRaw), sortedKeys(wantRaw)) {
		// The arcs are built on the raw statements (excluded lines and
		// docstrings included, mapped to first lines), which pysource's own
		// harness cannot see.
		add("pysource raw statements (CodeLines) differ")
		return out
	}
	r := Arcs(a, Options{Version: popts.Version, Coverage: popts.Coverage})
	kinds := a.Module.LineKinds()
	extra, missing := conformance.Diff(r.Arcs, want.Arcs)
	for _, x := range extra {
		add("arc extra from "+kindOf(kinds, x[0])+" to "+kindOf(kinds, x[1]), x)
	}
	for _, x := range missing {
		add("arc missing from "+kindOf(kinds, x[0])+" to "+kindOf(kinds, x[1]), x)
	}
	if len(extra)+len(missing) == 0 {
		for k, v := range want.Exits {
			var l int
			fmt.Sscan(k, &l)
			if r.ExitCounts[l] != v {
				add("exit count differs at "+kindOf(kinds, l), [2]int{l, v})
			}
		}
		for l, v := range r.ExitCounts {
			if _, ok := want.Exits[fmt.Sprint(l)]; !ok && v != 0 {
				add("exit count extra at "+kindOf(kinds, l), [2]int{l, v})
			}
		}
	}
	if len(out) == 0 && popts.Coverage.AtLeast(7, 7) {
		for _, d := range want.Descs {
			from, to := int(d[0].(float64)), int(d[1].(float64))
			if got := r.Description(from, to); got != d[2].(string) {
				add("arc description differs at "+kindOf(kinds, from)+": "+got+" / "+d[2].(string), [2]int{from, to})
			}
			if got := r.MissingArcDescription(from, to); !sameCauses(got, d[3].(string)) {
				add("missing arc description differs at "+kindOf(kinds, from), [2]int{from, to})
				if verbose {
					fmt.Printf("%d->%d\n  got  %s\n  want %s\n", from, to, got, d[3])
				}
			}
		}
	}
	if verbose && len(out) > 0 {
		fmt.Printf("got  %v\nwant %v\n", r.Arcs, want.Arcs)
	}
	return out
}

func sortedKeys(m map[int]bool) []int {
	out := []int{}
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}

// sameCauses compares two missing-arc descriptions as sets of " or "
// alternatives: coverage.py's order follows string hashing.
func sameCauses(a, b string) bool {
	x, y := strings.Split(a, " or "), strings.Split(b, " or ")
	sort.Strings(x)
	sort.Strings(y)
	return slices.Equal(x, y)
}

func kindOf(kinds map[int]string, l int) string {
	if l < 0 {
		return "exit"
	}
	if k, ok := kinds[l]; ok {
		return k
	}
	return "?"
}

func TestConformance(t *testing.T) {
	beds := conformance.BedNames()
	type entry struct {
		name string
		get  func(t *testing.T) *conformance.Runner
	}
	var runners []entry
	for _, name := range beds {
		runners = append(runners, entry{name, func(t *testing.T) *conformance.Runner { return conformance.BedRunner(testbed.Get(t, name)) }})
	}
	for _, r := range extraRunners() {
		runners = append(runners, entry{r.Name, func(t *testing.T) *conformance.Runner {
			if testing.Short() {
				t.Skip("extra interpreter in -short mode")
			}
			return r
		}})
	}
	for _, rn := range runners {
		name := rn.name
		t.Run(name, func(t *testing.T) {
			b := rn.get(t)
			d := loadDump(t, b)
			pyv, err := pysource.ParseVersion(d.Python)
			if err != nil {
				t.Fatal(err)
			}
			covv, err := pysource.ParseVersion(d.Coverage)
			if err != nil {
				t.Fatal(err)
			}
			popts := pysource.Options{Version: pyv, Coverage: covv, Exclude: d.Exclude}
			isSnippet := func(p string) bool { return strings.HasPrefix(p, snippetDir) }
			paths, verbose := conformance.Sample(t, name, d.Files, isSnippet)
			var all []conformance.Mismatch
			checked, bad, skipped, refused, narcs := 0, 0, 0, 0, 0
			for _, p := range paths {
				want := d.Files[p]
				src, err := os.ReadFile(b.HostPath(p))
				if err != nil {
					continue
				}
				if want.Error != "" {
					refused++
					continue
				}
				ms := compareFile(p, src, want, popts, verbose)
				if len(ms) == 1 && strings.HasPrefix(ms[0].Cause, "pysource ") {
					skipped++
					all = append(all, ms...)
					continue
				}
				checked++
				narcs += len(want.Arcs)
				if len(ms) > 0 {
					bad++
					all = append(all, ms...)
				}
			}
			rep := conformance.Summarize(all)
			t.Logf("%s (Python %s, coverage %s): arcs and exit counts agree on %d/%d files (%.2f%%, %d arcs); %d files skipped for pysource differences, %d not Python\n%s",
				name, d.Python, d.Coverage, checked-bad, checked, 100*float64(checked-bad)/float64(max(checked, 1)), narcs, skipped, refused, rep)
			if out := os.Getenv("COVKIT_CONFORMANCE_REPORT"); out != "" {
				_ = os.WriteFile(strings.ReplaceAll(out, "BED", name), []byte(rep), 0o644)
			}
			if bad > 0 && os.Getenv("COVKIT_CONFORMANCE_STRICT") != "" {
				t.Errorf("%d files disagree", bad)
			}
			// The hand-written corpus must agree exactly.
			for _, m := range all {
				if strings.HasPrefix(m.File, snippetDir) && !strings.HasPrefix(m.Cause, "pysource") && !strings.HasPrefix(m.Cause, "coverage.py crashes") {
					t.Errorf("%s: %s %v", m.File, m.Cause, m.Where)
				}
			}
		})
	}
}
