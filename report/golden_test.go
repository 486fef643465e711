package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/covkit/covkit/internal/testbed"
	"github.com/covkit/covkit/internal/testfiles"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "regenerate the golden files with coverage.py in the sid test bed")

// model.json, as testdata/dump.py writes it.
type goldenModel struct {
	Cwd           string             `json:"cwd"`
	SourcePaths   []string           `json:"source_paths"`
	RelativeFiles bool               `json:"relative_files"`
	HasArcs       bool               `json:"has_arcs"`
	Options       map[string]any     `json:"options"`
	Totals        map[string]float64 `json:"totals"`
	Files         []struct {
		Filename   string               `json:"filename"`
		RelName    string               `json:"relname"`
		Statements []int                `json:"statements"`
		Excluded   []int                `json:"excluded"`
		Executed   []int                `json:"executed"`
		Regions    []Region             `json:"regions"`
		Source     string               `json:"source"`
		Contexts   [][2]json.RawMessage `json:"contexts"`
		Branch     *struct {
			Possible     [][2]int `json:"possible"`
			Executed     [][2]int `json:"executed"`
			ExitCounts   [][2]int `json:"exit_counts"`
			NoBranch     []int    `json:"no_branch"`
			Descriptions [][3]any `json:"descriptions"`
		} `json:"branch"`
	} `json:"files"`
}

func loadGolden(t *testing.T, dir string) (*Set, *Options, *goldenModel) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "model.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m goldenModel
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	s := &Set{HasArcs: m.HasArcs}
	for _, gf := range m.Files {
		f := &File{
			Filename:   gf.Filename,
			RelName:    gf.RelName,
			Statements: gf.Statements,
			Excluded:   gf.Excluded,
			Executed:   gf.Executed,
			Source:     gf.Source,
		}
		for _, c := range gf.Contexts {
			var lc LineContexts
			if err := json.Unmarshal(c[0], &lc.Line); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(c[1], &lc.Contexts); err != nil {
				t.Fatal(err)
			}
			f.Contexts = append(f.Contexts, lc)
		}
		// Appended, so that a file without regions keeps a nil slice.
		f.Regions = append(f.Regions, gf.Regions...)
		if gf.Branch != nil {
			b := &Branches{Possible: gf.Branch.Possible, Executed: gf.Branch.Executed, NoBranch: gf.Branch.NoBranch, ExitCounts: map[int]int{}}
			for _, ec := range gf.Branch.ExitCounts {
				b.ExitCounts[ec[0]] = ec[1]
			}
			descs := map[[2]int]string{}
			for _, d := range gf.Branch.Descriptions {
				descs[[2]int{int(d[0].(float64)), int(d[1].(float64))}] = d[2].(string)
			}
			b.Describe = func(from, to int) string { return descs[[2]int{from, to}] }
			f.Branch = b
		}
		s.Files = append(s.Files, f)
	}
	o := &Options{Cwd: m.Cwd, SourcePaths: m.SourcePaths, RelativeFiles: m.RelativeFiles, Now: time.Unix(0, 0), Version: "7.16.1"}
	for k, v := range m.Options {
		switch k {
		case "precision":
			o.Precision = int(v.(float64))
		case "show_missing":
			o.ShowMissing = v.(bool)
		case "skip_covered":
			o.SkipCovered = v.(bool)
		case "skip_empty":
			o.SkipEmpty = v.(bool)
		case "sort":
			o.Sort = v.(string)
		case "format":
			o.Format = v.(string)
		case "package_depth":
			o.PackageDepth = int(v.(float64))
		case "line_checksums":
			o.LineChecksums = v.(bool)
		case "pretty_print":
			o.PrettyPrint = v.(bool)
		case "show_contexts":
			o.ShowContexts = v.(bool)
		}
	}
	return s, o, &m
}

var reports = []struct {
	file  string
	total string
	write func(*bytes.Buffer, *Set, *Options) (float64, error)
}{
	{"report.txt", "text", func(b *bytes.Buffer, s *Set, o *Options) (float64, error) { return WriteText(b, s, o) }},
	{"coverage.xml", "xml", func(b *bytes.Buffer, s *Set, o *Options) (float64, error) { return WriteXML(b, s, o) }},
	{"coverage.lcov", "lcov", func(b *bytes.Buffer, s *Set, o *Options) (float64, error) { return WriteLCOV(b, s, o) }},
	{"coverage.json", "json", func(b *bytes.Buffer, s *Set, o *Options) (float64, error) { return WriteJSON(b, s, o) }},
}

func goldenDirs(t *testing.T) []string {
	dirs, err := filepath.Glob("testdata/golden/*/*")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(dirs)
	if len(dirs) == 0 {
		t.Fatal("no golden files: run go test ./report -update")
	}
	return dirs
}

// TestGoldenWriters feeds coverage.py's own analysis (model.json) to the
// writers and compares their output with coverage.py's reports byte for byte.
func TestGoldenWriters(t *testing.T) {
	for _, dir := range goldenDirs(t) {
		t.Run(strings.TrimPrefix(dir, "testdata/golden/"), func(t *testing.T) {
			for _, r := range reports {
				s, o, m := loadGolden(t, dir)
				want, err := os.ReadFile(filepath.Join(dir, r.file))
				if err != nil {
					t.Fatal(err)
				}
				var got bytes.Buffer
				total, err := r.write(&got, s, o)
				if err != nil {
					t.Fatalf("%s: %v", r.file, err)
				}
				if d := cmp.Diff(testfiles.WithoutTimestamps(string(want)), testfiles.WithoutTimestamps(got.String())); d != "" {
					t.Errorf("%s differs from coverage.py's (-coverage.py +covkit):\n%s", r.file, d)
				}
				if wt := m.Totals[r.total]; wt != total {
					t.Errorf("%s: total %v, coverage.py returned %v", r.file, total, wt)
				}
			}
		})
	}
}

type fixture struct {
	Run []string `json:"run"`
	// Cwd is the directory (inside the project) coverage.py runs in.
	Cwd      string                    `json:"cwd"`
	Variants map[string]map[string]any `json:"variants"`
}

// TestGoldenRegenerate runs each fixture project under coverage.py 7.16 in
// the sid bed and checks the committed golden files are what coverage.py
// writes today; with -update it rewrites them.
func TestGoldenRegenerate(t *testing.T) {
	b := testbed.Get(t, "sid")
	projects, _ := filepath.Glob("testdata/projects/*")
	dump, err := filepath.Abs("testdata/dump.py")
	if err != nil {
		t.Fatal(err)
	}
	for _, proj := range projects {
		name := filepath.Base(proj)
		t.Run(name, func(t *testing.T) {
			var fx fixture
			raw, err := os.ReadFile(filepath.Join(proj, "fixture.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(raw, &fx); err != nil {
				t.Fatal(err)
			}
			// A fixed directory, so absolute paths in the goldens are stable.
			inBed := "/tmp/covkit-report-golden/" + name
			host := b.HostPath(inBed)
			os.RemoveAll(host)
			if err := os.CopyFS(host, os.DirFS(proj)); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.RemoveAll(host) })
			testfiles.CopyFile(t, dump, filepath.Join(host, "dump.py"))
			testfiles.CopyFile(t, dump, filepath.Join(host, fx.Cwd, "dump.py"))
			inBed = path.Join(inBed, fx.Cwd)
			b.MustRun(t, inBed, nil, append([]string{"python3", "-m", "coverage", "run"}, fx.Run...)...)
			for vname, opts := range fx.Variants {
				oj, _ := json.Marshal(opts)
				out := inBed + "/out-" + vname
				os.MkdirAll(b.HostPath(out), 0o777)
				b.MustRun(t, inBed, nil, "python3", "dump.py", out, string(oj))
				gdir := filepath.Join("testdata/golden", name, vname)
				for _, f := range []string{"model.json", "report.txt", "coverage.xml", "coverage.lcov", "coverage.json"} {
					got, err := os.ReadFile(filepath.Join(b.HostPath(out), f))
					if err != nil {
						t.Fatal(err)
					}
					if *update {
						os.MkdirAll(gdir, 0o777)
						if err := os.WriteFile(filepath.Join(gdir, f), []byte(testfiles.WithoutTimestamps(string(got))), 0o666); err != nil {
							t.Fatal(err)
						}
						continue
					}
					want, err := os.ReadFile(filepath.Join(gdir, f))
					if err != nil {
						t.Fatal(err)
					}
					if d := cmp.Diff(testfiles.WithoutTimestamps(string(want)), testfiles.WithoutTimestamps(string(got))); d != "" {
						t.Errorf("%s/%s: coverage.py now writes something else (-golden +now):\n%s", vname, f, d)
					}
				}
			}
		})
	}
}
