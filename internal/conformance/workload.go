package conformance

import (
	"embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

//go:embed workload/workload.py workload/coveragerc
var workload embed.FS

// Workload variants: each bed's coverage.py defaults, and a project's own
// exclude_lines and exclude_also.
var Workloads = map[string]string{
	"defaults": "",
	"custom exclusions": `
[report]
exclude_lines =
    pragma: no cover
    raise NotImplementedError
exclude_also =
    if __name__ == .__main__.:
    def __repr__
    \.\.\.
`,
}

// WriteWorkload writes the workload project (workload.py, run under
// `coverage run`, measures a dozen Debian-packaged libraries) into dir,
// with its .coveragerc followed by extraRC.
func WriteWorkload(t testing.TB, dir, extraRC string) {
	t.Helper()
	py, _ := workload.ReadFile("workload/workload.py")
	rc, _ := workload.ReadFile("workload/coveragerc")
	if err := os.WriteFile(filepath.Join(dir, "workload.py"), py, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".coveragerc"), append(rc, extraRC...), 0o644); err != nil {
		t.Fatal(err)
	}
}

// jsonFile is what CompareJSONReports compares of one file of a JSON report.
type jsonFile struct {
	ExecutedLines    []int      `json:"executed_lines"`
	MissingLines     []int      `json:"missing_lines"`
	ExcludedLines    []int      `json:"excluded_lines"`
	ExecutedBranches [][2]int   `json:"executed_branches"`
	MissingBranches  [][2]int   `json:"missing_branches"`
	Summary          jsonNumber `json:"summary"`
}

type jsonNumber struct {
	NumStatements      int `json:"num_statements"`
	CoveredLines       int `json:"covered_lines"`
	MissingLines       int `json:"missing_lines"`
	ExcludedLines      int `json:"excluded_lines"`
	NumBranches        int `json:"num_branches"`
	NumPartialBranches int `json:"num_partial_branches"`
	CoveredBranches    int `json:"covered_branches"`
	MissingBranches    int `json:"missing_branches"`
}

type jsonReport struct {
	Meta struct {
		Version        string `json:"version"`
		BranchCoverage bool   `json:"branch_coverage"`
	} `json:"meta"`
	Files map[string]jsonFile `json:"files"`
}

// CompareJSONReports compares two JSON reports (any coverage.py version's)
// file by file: executed, missing and excluded lines, executed and missing
// branches, and the summary counts. It returns the number of files of
// want, and one line per file that differs.
func CompareJSONReports(want, got []byte) (files int, diffs []string, err error) {
	var w, g jsonReport
	if err := json.Unmarshal(want, &w); err != nil {
		return 0, nil, fmt.Errorf("coverage.py's JSON: %w", err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		return 0, nil, fmt.Errorf("covkit's JSON: %w", err)
	}
	if w.Meta.Version != g.Meta.Version {
		diffs = append(diffs, fmt.Sprintf("meta.version %q, coverage.py says %q", g.Meta.Version, w.Meta.Version))
	}
	if w.Meta.BranchCoverage != g.Meta.BranchCoverage {
		diffs = append(diffs, fmt.Sprintf("meta.branch_coverage %v, coverage.py says %v", g.Meta.BranchCoverage, w.Meta.BranchCoverage))
	}
	var names []string
	for n := range w.Files {
		names = append(names, n)
	}
	for n := range g.Files {
		if _, ok := w.Files[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	// Up to 7.6 at least, coverage.py lists every executed line (6.5 also
	// repeats executed branches); 7.16, whose format covkit writes, only
	// executed statements and branches: for older reports the counts
	// (in the summaries) compare.
	sameFormat := strings.HasPrefix(w.Meta.Version, "7.16.")
	for _, n := range names {
		wf, inW := w.Files[n]
		gf, inG := g.Files[n]
		switch {
		case !inW:
			diffs = append(diffs, n+": only in covkit's report")
		case !inG:
			diffs = append(diffs, n+": only in coverage.py's report")
		case wf.Summary != gf.Summary:
			diffs = append(diffs, fmt.Sprintf("%s: summary %+v, coverage.py %+v", n, gf.Summary, wf.Summary))
		case sameFormat && !slices.Equal(wf.ExecutedLines, gf.ExecutedLines) || !slices.Equal(wf.MissingLines, gf.MissingLines) || !slices.Equal(wf.ExcludedLines, gf.ExcludedLines):
			diffs = append(diffs, fmt.Sprintf("%s: lines differ: missing %v excluded %v, coverage.py missing %v excluded %v", n, short(gf.MissingLines), short(gf.ExcludedLines), short(wf.MissingLines), short(wf.ExcludedLines)))
		case sameFormat && !slices.Equal(wf.ExecutedBranches, gf.ExecutedBranches) || !slices.Equal(wf.MissingBranches, gf.MissingBranches):
			diffs = append(diffs, fmt.Sprintf("%s: branches differ: missing %v, coverage.py %v", n, short(gf.MissingBranches), short(wf.MissingBranches)))
		}
	}
	return len(w.Files), diffs, nil
}

// short prints at most a few items of a list.
func short[T any](xs []T) string {
	if len(xs) > 8 {
		return fmt.Sprintf("%v ... (%d)", xs[:8], len(xs))
	}
	return fmt.Sprint(xs)
}

// CheckSameJSON compares two JSON reports (coverage.py's, then covkit's)
// file by file, failing t for each difference (twenty at most) and when
// fewer than 100 files were measured.
func CheckSameJSON(t testing.TB, wantPath, gotPath string) {
	t.Helper()
	w, err := os.ReadFile(wantPath)
	if err != nil {
		t.Fatal(err)
	}
	g, err := os.ReadFile(gotPath)
	if err != nil {
		t.Fatal(err)
	}
	n, diffs, err := CompareJSONReports(w, g)
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Errorf("only %d files measured: is the bed missing the workload's libraries (testbed/build)?", n)
	}
	t.Logf("%d files, %d differ", n, len(diffs))
	for i, d := range diffs {
		if i == 20 {
			t.Errorf("... and %d more", len(diffs)-20)
			break
		}
		t.Error(d)
	}
}
