package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/covkit/covkit/internal/testbed"
	"github.com/covkit/covkit/internal/testfiles"
	"github.com/google/go-cmp/cmp"
)

const projectsDir = "../../report/testdata/projects"

type e2eVariant struct {
	RC            string   `json:"rc"`
	Flags         []string `json:"flags"`
	Reports       []string `json:"reports"`
	BranchWarning bool     `json:"branch_warning"`
	SkipBeds      []string `json:"skip_beds"`
	// Relocate moves the project after measuring it; {OLD} and {NEW} in
	// RC stand for the two directories (for [paths]).
	Relocate bool   `json:"relocate"`
	Why      string `json:"why"`
}

type fixture struct {
	Run []string              `json:"run"`
	Cwd string                `json:"cwd"`
	E2E map[string]e2eVariant `json:"e2e"`
}

// The flags each coverage.py command accepts (with whether they take a value).
var coverageFlags = map[string]map[string]bool{
	"report": {"--contexts": true, "--format": true, "--show-missing": false, "--precision": true, "--sort": true, "--skip-empty": false, "--skip-covered": false, "--include": true, "--omit": true, "--fail-under": true},
	"xml":    {"--include": true, "--omit": true, "--skip-empty": false, "--fail-under": true},
	"lcov":   {"--include": true, "--omit": true, "--fail-under": true},
	"json":   {"--contexts": true, "--include": true, "--omit": true, "--pretty-print": false, "--show-contexts": false, "--fail-under": true},
}

func filterFlags(cmd string, flags []string) []string {
	var out []string
	for i := 0; i < len(flags); i++ {
		takes, ok := coverageFlags[cmd][flags[i]]
		if ok {
			out = append(out, flags[i])
		}
		if takes || (!ok && i+1 < len(flags) && !strings.HasPrefix(flags[i+1], "--")) {
			if ok {
				out = append(out, flags[i+1])
			}
			i++
		}
	}
	return out
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// covreportBinary builds a static covreport that runs inside the chroot beds.
func covreportBinary(t *testing.T) string {
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "covreport-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "covreport")
		cmd := exec.Command("go", "build", "-o", binPath, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = err
			t.Logf("%s", out)
		}
	})
	if buildErr != nil {
		t.Fatalf("building covreport: %v", buildErr)
	}
	return binPath
}

var (
	bedPython   = map[string]string{"host": "3.11", "trixie": "3.13", "sid": "3.14"}
	bedCoverage = map[string]string{"host": "6.5", "trixie": "7.6", "sid": "7.16"}
)

// TestMatchesCoveragePy runs every fixture project under coverage.py in
// each test bed, then compares covreport's reports with coverage.py's: byte
// for byte in sid (coverage.py 7.16), per-file statements/missing/excluded
// in the older beds.
func TestMatchesCoveragePy(t *testing.T) {
	for _, bed := range testbed.Names {
		t.Run(bed, func(t *testing.T) {
			b := testbed.Get(t, bed)
			bin := covreportBinary(t)
			projects, _ := filepath.Glob(filepath.Join(projectsDir, "*"))
			for _, proj := range projects {
				raw, err := os.ReadFile(filepath.Join(proj, "fixture.json"))
				if err != nil {
					continue
				}
				var fx fixture
				if err := json.Unmarshal(raw, &fx); err != nil {
					t.Fatal(err)
				}
				names := make([]string, 0, len(fx.E2E))
				for n := range fx.E2E {
					names = append(names, n)
				}
				sort.Strings(names)
				for _, vn := range names {
					v := fx.E2E[vn]
					t.Run(filepath.Base(proj)+"/"+vn, func(t *testing.T) {
						if slices.Contains(v.SkipBeds, bed) {
							t.Skipf("skipping in %s: %s", bed, v.Why)
						}
						exact := bed == "sid" && !v.BranchWarning
						runVariant(t, b, bin, proj, fx.Cwd, fx.Run, v, exact)
					})
				}
			}
		})
	}
}

func runVariant(t *testing.T, b *testbed.Bed, bin, proj, cwd string, run []string, v e2eVariant, exact bool) {
	host, inBed := b.TempDir(t)
	if err := os.CopyFS(host, os.DirFS(proj)); err != nil {
		t.Fatal(err)
	}
	host, inBed = filepath.Join(host, cwd), path.Join(inBed, cwd)
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(host, "covreport"), data, 0o755)
	b.MustRun(t, inBed, nil, append([]string{b.Python, "-m", "coverage", "run"}, run...)...)
	rcText := v.RC
	if v.Relocate {
		host2, inBed2 := b.TempDir(t)
		if err := os.CopyFS(host2, os.DirFS(host)); err != nil {
			t.Fatal(err)
		}
		os.Chmod(filepath.Join(host2, "covreport"), 0o755)
		if err := os.RemoveAll(host); err != nil {
			t.Fatal(err)
		}
		rcText = strings.NewReplacer("{OLD}", inBed, "{NEW}", inBed2).Replace(rcText)
		host, inBed = host2, inBed2
	}
	var rc []string
	if rcText != "" {
		os.WriteFile(filepath.Join(host, "variant.rc"), []byte(rcText), 0o666)
		rc = []string{"--rcfile", "variant.rc"}
	}
	os.MkdirAll(filepath.Join(host, "py"), 0o777)
	os.MkdirAll(filepath.Join(host, "go"), 0o777)

	reports := v.Reports
	if !exact {
		reports = []string{"json"}
	}
	// coverage.py, one command per report.
	want := map[string]string{}
	wantCode := 0
	for _, r := range reports {
		switch r {
		case "text":
			res := b.Run(t, inBed, nil, append(append([]string{b.Python, "-m", "coverage", "report"}, rc...), filterFlags("report", v.Flags)...)...)
			want["text"] = res.Stdout
			wantCode = res.ExitCode
		default:
			args := append([]string{b.Python, "-m", "coverage", r, "-q", "-o", "py/out." + r}, rc...)
			res := b.Run(t, inBed, nil, append(args, filterFlags(r, v.Flags)...)...)
			if res.ExitCode != 0 && res.ExitCode != 2 {
				t.Fatalf("coverage %s: exit %d\n%s", r, res.ExitCode, res.Stderr)
			}
			if exact || r != "json" {
				wantCode = max(wantCode, res.ExitCode)
			}
			out, err := os.ReadFile(filepath.Join(host, "py", "out."+r))
			if err != nil {
				t.Fatal(err)
			}
			want[r] = string(out)
		}
	}
	// covreport, once for all of them.
	args := append([]string{"./covreport", "--python-version", bedPython[b.Name], "--coverage-version", bedCoverage[b.Name]}, rc...)
	for _, r := range reports {
		if r == "text" {
			args = append(args, "--text")
		} else {
			args = append(args, "--"+r, "go/out."+r)
		}
	}
	if !exact {
		args = append(args, "--pretty-print")
	}
	args = append(args, v.Flags...)
	res := b.Run(t, inBed, nil, args...)
	if exact && res.ExitCode != wantCode {
		t.Errorf("covreport exit %d, coverage.py %d\nstderr:\n%s", res.ExitCode, wantCode, res.Stderr)
	}
	if res.ExitCode == 1 {
		t.Fatalf("covreport failed:\n%s", res.Stderr)
	}
	if v.BranchWarning && !strings.Contains(res.Stderr, "branch figures are not reported yet") {
		t.Errorf("no warning about branch figures on stderr:\n%s", res.Stderr)
	}
	for _, r := range reports {
		var got string
		if r == "text" {
			got = res.Stdout
		} else {
			out, err := os.ReadFile(filepath.Join(host, "go", "out."+r))
			if err != nil {
				t.Fatal(err)
			}
			got = string(out)
		}
		if !exact {
			compareNumbers(t, want[r], got)
			continue
		}
		if d := cmp.Diff(testfiles.WithoutTimestamps(want[r]), testfiles.WithoutTimestamps(got)); d != "" {
			t.Errorf("%s report differs (-coverage.py +covreport):\n%s", r, d)
		}
	}
}

type jsonReport struct {
	Files map[string]struct {
		Summary struct {
			NumStatements int `json:"num_statements"`
			MissingLines  int `json:"missing_lines"`
			ExcludedLines int `json:"excluded_lines"`
		} `json:"summary"`
	} `json:"files"`
}

// compareNumbers compares the per-file statements, missing and excluded
// counts of two JSON reports (any coverage.py version's).
func compareNumbers(t *testing.T, want, got string) {
	t.Helper()
	var w, g jsonReport
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("coverage.py JSON: %v", err)
	}
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("covreport JSON: %v", err)
	}
	type nums struct{ Stmts, Miss, Excl int }
	wm, gm := map[string]nums{}, map[string]nums{}
	for k, f := range w.Files {
		wm[k] = nums{f.Summary.NumStatements, f.Summary.MissingLines, f.Summary.ExcludedLines}
	}
	for k, f := range g.Files {
		gm[k] = nums{f.Summary.NumStatements, f.Summary.MissingLines, f.Summary.ExcludedLines}
	}
	if d := cmp.Diff(wm, gm); d != "" {
		t.Errorf("per-file numbers differ (-coverage.py +covreport):\n%s", d)
	}
}
