package merge

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/covkit/covkit/bench/merge/corpus"
	"github.com/covkit/covkit/internal/testbed"
	"github.com/covkit/covkit/sqlitecov"
	"github.com/google/go-cmp/cmp"
)

// TestMatchesCoverageCombine is the oracle test: in each test bed, real
// coverage.py runs make parallel data files; `coverage combine` merges one
// copy and Combine another; `coverage json` (coverage.py itself) must then
// report the same on both outputs, timestamps aside.
func TestMatchesCoverageCombine(t *testing.T) {
	variants := []struct {
		name string
		rc   string
	}{
		{"lines", ""},
		{"lines-contexts", "dynamic_context = test_function\n"},
		{"branch", "branch = True\n"},
		{"branch-contexts", "branch = True\ndynamic_context = test_function\n"},
	}
	for _, bed := range testbed.Names {
		t.Run(bed, func(t *testing.T) {
			b := testbed.Get(t, bed)
			for _, v := range variants {
				t.Run(v.name, func(t *testing.T) {
					t.Parallel()
					compareWithCoverage(t, b, v.rc)
				})
			}
		})
	}
}

func compareWithCoverage(t *testing.T, b *testbed.Bed, rc string) {
	host, inBed := b.TempDir(t)
	if err := (corpus.Project{Modules: 4, Funcs: 6, Seed: 11}).Write(host); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(host, ".coveragerc"), []byte("[run]\nparallel = True\n"+rc), 0o666)
	for seed := range 4 {
		b.MustRun(t, inBed, nil, b.Python, "-m", "coverage", "run", "run.py", fmt.Sprint(seed), "0.7")
	}
	made, _ := filepath.Glob(filepath.Join(host, ".coverage.*"))
	if len(made) != 4 {
		t.Fatalf("coverage.py made %d data files, want 4", len(made))
	}
	// Same inputs for both, plus a byte-identical duplicate.
	moveToOursAndTheirs(host, made)
	for _, d := range []string{"ours", "theirs"} {
		data, _ := os.ReadFile(filepath.Join(host, d, filepath.Base(made[0])))
		os.WriteFile(filepath.Join(host, d, ".coverage.copy"), data, 0o666)
	}

	// The data file's base name must stay .coverage: it picks the inputs.
	b.MustRun(t, inBed, []string{"COVERAGE_FILE=theirs/.coverage"}, b.Python, "-m", "coverage", "combine", inBed+"/theirs")
	if _, err := Combine(CombineOptions{DataFile: filepath.Join(host, "ours", ".coverage"), Paths: []string{filepath.Join(host, "ours")}}); err != nil {
		t.Fatal(err)
	}

	left := func(d string) []string {
		ents, _ := os.ReadDir(filepath.Join(host, d))
		var out []string
		for _, e := range ents {
			out = append(out, e.Name())
		}
		return out
	}
	if l, r := left("ours"), left("theirs"); !slices.Equal(l, r) {
		t.Errorf("inputs left after combining: ours %v, coverage.py %v", l, r)
	}

	report := func(dataFile string) map[string]any {
		out := inBed + "/" + dataFile + ".json"
		b.MustRun(t, inBed, []string{"COVERAGE_FILE=" + dataFile}, b.Python, "-m", "coverage", "json", "--show-contexts", "-o", out)
		raw, err := os.ReadFile(b.HostPath(out))
		if err != nil {
			t.Fatal(err)
		}
		var v map[string]any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		delete(v["meta"].(map[string]any), "timestamp")
		sortContexts(v)
		return v
	}
	theirs, ours := report("theirs/.coverage"), report("ours/.coverage")
	if len(theirs["files"].(map[string]any)) == 0 {
		t.Fatal("coverage json reported no files")
	}
	if diff := cmp.Diff(theirs, ours); diff != "" {
		t.Errorf("coverage json differs (-coverage combine +covmerge):\n%s", diff)
	}

	// The data itself, not only the report, must agree.
	dt, do := readCombined(t, host)
	if diff := cmp.Diff(dt.Files, do.Files); diff != "" {
		t.Errorf("merged data differs (-coverage combine +covmerge):\n%s", diff)
	}
	if !slices.Equal(dt.Contexts, do.Contexts) || dt.HasArcs != do.HasArcs || dt.HasLines != do.HasLines {
		t.Errorf("contexts/kind: coverage %v %v %v, ours %v %v %v", dt.Contexts, dt.HasArcs, dt.HasLines, do.Contexts, do.HasArcs, do.HasLines)
	}
	if strings.Contains(rc, "dynamic_context") && len(do.Contexts) < 2 {
		t.Errorf("expected several contexts, got %q", do.Contexts)
	}
}

// sortContexts sorts the per-line context lists of a coverage json report:
// coverage.py builds them from a Python set, so their order follows string
// hashing (PYTHONHASHSEED), not the data.
func sortContexts(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if m, ok := e.(map[string]any); ok && k == "contexts" {
				for _, l := range m {
					if l, ok := l.([]any); ok {
						slices.SortFunc(l, func(a, b any) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
					}
				}
				continue
			}
			sortContexts(e)
		}
	case []any:
		for _, e := range v {
			sortContexts(e)
		}
	}
}

// readCombined reads the data coverage combine wrote (theirs/.coverage) and
// covmerge's (ours/.coverage) under host.
func readCombined(t *testing.T, host string) (theirs, ours *sqlitecov.Data) {
	t.Helper()
	var err error
	if theirs, err = sqlitecov.ReadFile(filepath.Join(host, "theirs", ".coverage")); err != nil {
		t.Fatal(err)
	}
	if ours, err = sqlitecov.ReadFile(filepath.Join(host, "ours", ".coverage")); err != nil {
		t.Fatal(err)
	}
	return theirs, ours
}

// moveToOursAndTheirs moves the data files made into host/ours and
// host/theirs, a copy in each: the inputs of covmerge and of coverage
// combine.
func moveToOursAndTheirs(host string, made []string) {
	for _, d := range []string{"ours", "theirs"} {
		os.Mkdir(filepath.Join(host, d), 0o777)
		for _, f := range made {
			data, _ := os.ReadFile(f)
			os.WriteFile(filepath.Join(host, d, filepath.Base(f)), data, 0o666)
		}
	}
	for _, f := range made {
		os.Remove(f)
	}
}
