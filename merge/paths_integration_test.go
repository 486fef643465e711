package merge

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/covkit/covkit/bench/merge/corpus"
	"github.com/covkit/covkit/internal/testbed"
	"github.com/google/go-cmp/cmp"
)

// TestPathsMatchCoverageCombine runs the covmerge binary inside each test
// bed on data measured in two different checkouts, with a [paths] rule in
// .coveragerc, and compares with coverage.py's combine: same remapped data,
// same `coverage json`.
func TestPathsMatchCoverageCombine(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test")
	}
	exeDir, err := os.MkdirTemp("", "covmerge-bin-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(exeDir)
	exe := filepath.Join(exeDir, "covmerge")
	if out, err := exec.Command("go", "build", "-o", exe, "../cmd/covmerge").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, bed := range testbed.Names {
		for _, relative := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/relative=%v", bed, relative), func(t *testing.T) {
				pathsVsCoverage(t, bed, exe, relative)
			})
		}
	}
}

func pathsVsCoverage(t *testing.T, bed, exe string, relative bool) {
	{
		{
			b := testbed.Get(t, bed)
			host, inBed := b.TempDir(t)
			bin, _ := os.ReadFile(exe)
			os.WriteFile(filepath.Join(host, "covmerge"), bin, 0o755)
			for _, d := range []string{"proj", "ci1/proj", "ci2/proj"} {
				if err := (corpus.Project{Modules: 3, Funcs: 5, Seed: 5}).Write(filepath.Join(host, d)); err != nil {
					t.Fatal(err)
				}
			}
			// The runs record absolute paths in two checkouts; the combine
			// maps them with [paths] (and, in the relative variant, with
			// relative_files, which also rewrites unmapped paths).
			os.WriteFile(filepath.Join(host, "run.rc"), []byte("[run]\nparallel = True\nbranch = True\n"), 0o666)
			rel := ""
			if relative {
				rel = "relative_files = True\n"
			}
			os.WriteFile(filepath.Join(host, ".coveragerc"), []byte(`[run]
parallel = True
branch = True
`+rel+`[paths]
source =
    proj/
    */ci1/proj/
    */ci2/proj/
`), 0o666)
			env := []string{"COVERAGE_FILE=" + inBed + "/.coverage", "COVERAGE_RCFILE=" + inBed + "/run.rc"}
			for i, d := range []string{"ci1/proj", "ci2/proj", "ci1/proj", "ci2/proj"} {
				b.MustRun(t, inBed+"/"+d, env, b.Python, "-m", "coverage", "run", "run.py", fmt.Sprint(i))
			}
			made, _ := filepath.Glob(filepath.Join(host, ".coverage.*"))
			if len(made) != 4 {
				t.Fatalf("%d data files", len(made))
			}
			moveToOursAndTheirs(host, made)
			b.MustRun(t, inBed, []string{"COVERAGE_FILE=theirs/.coverage"}, b.Python, "-m", "coverage", "combine", "theirs")
			r := b.MustRun(t, inBed, []string{"COVERAGE_FILE=ours/.coverage"}, inBed+"/covmerge", "ours")
			if !strings.Contains(r.Stderr, "Combined 4 files") {
				t.Errorf("covmerge said %q", r.Stderr)
			}

			dt, do := readCombined(t, host)
			if diff := cmp.Diff(dt.Files, do.Files); diff != "" {
				t.Errorf("remapped data differs (-coverage combine +covmerge):\n%s", diff)
			}
			remapped := 0
			for _, p := range do.Paths() {
				switch {
				case strings.HasPrefix(p, inBed+"/proj/") || relative && strings.HasPrefix(p, "proj/"):
					remapped++
				case strings.HasPrefix(p, inBed+"/"):
					t.Errorf("not remapped: %s", p)
				}
			}
			if remapped < 4 {
				t.Errorf("only %d files remapped: %q", remapped, do.Paths())
			}
			t.Logf("paths: %q", do.Paths())
			if !slices.Equal(dt.Contexts, do.Contexts) {
				t.Errorf("contexts %q vs %q", dt.Contexts, do.Contexts)
			}
		}
	}
}
