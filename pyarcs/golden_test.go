package pyarcs_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/covkit/covkit/analysis"
	"github.com/covkit/covkit/internal/testbed"
	"github.com/covkit/covkit/internal/testfiles"
	"github.com/covkit/covkit/pysource"
	"github.com/covkit/covkit/report"
	"github.com/covkit/covkit/reporting"
	"github.com/covkit/covkit/sqlitecov"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "regenerate testdata/golden with coverage.py 7.16 in the sid test bed")

// goldenRoot is where a project runs in the sid bed: fixed, so that the
// absolute paths in the data file and reports stay valid.
const goldenRoot = "/tmp/covkit-pyarcs-golden"

// goldenReports are the files coverage.py writes per project, and how.
var goldenReports = []struct {
	file string
	args []string // coverage.py command ("" output: stdout)
}{
	{"report.txt", []string{"report"}},
	{"report-m.txt", []string{"report", "-m"}},
	{"coverage.xml", []string{"xml", "-o", "coverage.xml"}},
	{"coverage.lcov", []string{"lcov", "-o", "coverage.lcov"}},
	{"coverage.json", []string{"json", "-o", "coverage.json"}},
	{"report-variant.txt", []string{"report", "-m", "--precision=2", "--sort=-BrPart", "--skip-covered"}},
	{"coverage-pretty.json", []string{"json", "--pretty-print", "-o", "coverage-pretty.json"}},
}

func goldenProjects(t *testing.T) []string {
	ps, err := filepath.Glob("testdata/projects/*")
	if err != nil || len(ps) == 0 {
		t.Fatal("no projects in testdata/projects")
	}
	sort.Strings(ps)
	return ps
}

// regenerate runs the project under coverage.py 7.16 with branch
// measurement in the sid bed and stores the data file and reports.
func regenerate(t *testing.T, proj string) {
	b := testbed.Get(t, "sid")
	name := filepath.Base(proj)
	inBed := goldenRoot + "/" + name
	host := b.HostPath(inBed)
	os.RemoveAll(host)
	if err := os.CopyFS(host, os.DirFS(proj)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(host) })
	// Projects may set more in their .coveragerc.
	b.MustRun(t, inBed, nil, "python3", "-m", "coverage", "run", "--branch", "main.py")
	gdir := filepath.Join("testdata/golden", name)
	os.MkdirAll(gdir, 0o777)
	for _, r := range goldenReports {
		res := b.MustRun(t, inBed, nil, append([]string{"python3", "-m", "coverage"}, r.args...)...)
		out := []byte(res.Stdout)
		if r.args[0] != "report" {
			var err error
			if out, err = os.ReadFile(filepath.Join(host, r.file)); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(gdir, r.file), []byte(testfiles.WithoutTimestamps(string(out))), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(filepath.Join(host, ".coverage"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(gdir, "data.coverage"), data, 0o666); err != nil {
		t.Fatal(err)
	}
}

// TestGoldenReports builds covkit's reports from coverage.py's branch data
// file with pyarcs' arcs and compares them byte for byte with the reports
// coverage.py 7.16 wrote from the same data (time stamps aside).
func TestGoldenReports(t *testing.T) {
	for _, proj := range goldenProjects(t) {
		name := filepath.Base(proj)
		t.Run(name, func(t *testing.T) {
			if *update {
				regenerate(t, proj)
			}
			gdir := filepath.Join("testdata/golden", name)
			d, err := sqlitecov.ReadFile(filepath.Join(gdir, "data.coverage"))
			if err != nil {
				t.Fatal(err)
			}
			inBed := goldenRoot + "/" + name
			settings, _, err := reporting.LoadSettings(proj, "", func(string) string { return "" })
			if err != nil {
				t.Fatal(err)
			}
			var warnings []string
			res, err := analysis.Build(d, analysis.Options{
				Dir:      inBed,
				Regexes:  settings.Regexes,
				Target:   analysis.Target{Python: pysource.Version{Major: 3, Minor: 14}},
				Analyzer: analysis.PySourceAnalyzer(),
				Warn:     func(m string) { warnings = append(warnings, m) },
				ReadFile: func(p string) ([]byte, error) {
					if rel, ok := strings.CutPrefix(p, inBed+"/"); ok {
						return os.ReadFile(filepath.Join(proj, rel))
					}
					return os.ReadFile(p)
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(warnings) > 0 {
				t.Errorf("warnings: %q", warnings)
			}
			if !res.Set.HasArcs {
				t.Fatal("no branch figures")
			}
			for _, r := range goldenReports {
				opts := &report.Options{Cwd: res.Cwd, Now: time.Unix(0, 0), Version: "7.16.1", ShowMissing: r.file == "report-m.txt"}
				switch r.file {
				case "report-variant.txt":
					opts.ShowMissing, opts.Precision, opts.Sort, opts.SkipCovered = true, 2, "-BrPart", true
				case "coverage-pretty.json":
					opts.PrettyPrint = true
				}
				var buf bytes.Buffer
				var err error
				switch filepath.Ext(r.file) {
				case ".txt":
					_, err = report.WriteText(&buf, res.Set, opts)
				case ".xml":
					_, err = report.WriteXML(&buf, res.Set, opts)
				case ".lcov":
					_, err = report.WriteLCOV(&buf, res.Set, opts)
				case ".json":
					_, err = report.WriteJSON(&buf, res.Set, opts)
				}
				if err != nil {
					t.Fatalf("%s: %v", r.file, err)
				}
				want, err := os.ReadFile(filepath.Join(gdir, r.file))
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(testfiles.WithoutTimestamps(string(want)), testfiles.WithoutTimestamps(buf.String())); diff != "" {
					t.Errorf("%s differs from coverage.py's (-coverage.py +covkit):\n%s", r.file, diff)
				}
			}
		})
	}
}
