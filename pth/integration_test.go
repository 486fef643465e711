//go:build unix

package pth_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/covkit/covkit/internal/testbed"
	"github.com/covkit/covkit/internal/testcombine"
	"github.com/covkit/covkit/internal/testfiles"
	"github.com/covkit/covkit/pth"
)

const bedPython = "/usr/bin/python3"

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if builtBin != "" {
		os.RemoveAll(filepath.Dir(builtBin))
	}
	os.Exit(code)
}

// covhookBinary builds a static covhook, runnable inside the chroot beds.
func covhookBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "covhook-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "covhook")
		cmd := exec.Command("go", "build", "-o", builtBin, "github.com/covkit/covkit/cmd/covhook")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

// bedRun is one test's working area in a bed, with covhook copied in.
type bedRun struct {
	b         *testbed.Bed
	host, bed string // work directory
	covhook   string // covhook as the bed sees it
	env       []string
}

func setup(t *testing.T, name string) *bedRun {
	t.Helper()
	b := testbed.Get(t, name)
	bin := covhookBinary(t)
	host, inBed := b.TempDir(t)
	if err := copyFile(bin, filepath.Join(host, "covhook"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := &bedRun{b: b, host: host, bed: inBed, covhook: inBed + "/covhook",
		env: []string{"COVKIT_STATE_DIR=" + inBed + "/state", "TMPDIR=" + inBed}}
	before := persistentHooks(t, b)
	t.Cleanup(func() { checkNoHookLeft(t, b, inBed, before) })
	return r
}

// siteDirs are where a hook for the bed's python3 can land (host paths).
func siteDirs(b *testbed.Bed) []string {
	pats := []string{"/usr/lib/python3/dist-packages", "/usr/local/lib/python3*/dist-packages", "/usr/lib/python3.*/dist-packages"}
	var out []string
	for _, p := range pats {
		m, _ := filepath.Glob(b.HostPath(p))
		out = append(out, m...)
	}
	return out
}

// persistentHooks lists the bed's site directories holding a persistent hook.
func persistentHooks(t *testing.T, b *testbed.Bed) []string {
	var out []string
	for _, d := range siteDirs(b) {
		if h, err := pth.StatusDir(d); err == nil && h.Installed && h.Mode == pth.ModePersistent {
			out = append(out, d)
		}
	}
	return out
}

// checkNoHookLeft fails the test if it left a covkit file in the bed's
// site-packages: a live registration of one of its runs, or a persistent
// hook that was not there before it. Other engineers' hooks in these shared
// trees are left alone (StatusDir only tidies what dead runs left).
func checkNoHookLeft(t *testing.T, b *testbed.Bed, mine string, before []string) {
	t.Helper()
	for _, d := range siteDirs(b) {
		h, err := pth.StatusDir(d)
		if err != nil {
			t.Error(err)
			continue
		}
		for _, run := range h.Runs {
			if strings.HasPrefix(run.Root, mine+"/") {
				t.Errorf("run %s of this test still registered in %s", run.ID, d)
			}
		}
		if h.Installed && h.Mode == pth.ModePersistent && !slices.Contains(before, d) {
			t.Errorf("persistent hook left behind in %s: %s", b.Name, h.Path)
			pth.RemoveDir(d, false)
		}
	}
}

func copyFile(src, dst string, perm os.FileMode) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, perm)
}

// fileCov is coverage.py's json report for one file.
type fileCov struct {
	Executed []int `json:"executed_lines"`
	Missing  []int `json:"missing_lines"`
}

// coverageJSON combines the data files in dataDir (bed path) and returns
// the bed's own coverage.py's json report of them, keyed by file path.
// coverage.py's own data files are combined by coverage.py; lean engine
// data files, which coverage.py cannot read, by covkit's merge.
func (r *bedRun) coverageJSON(t *testing.T, dataDir string) map[string]fileCov {
	t.Helper()
	r.combine(t, dataDir)
	r.b.MustRun(t, dataDir, nil, bedPython, "-m", "coverage", "json", "-o", "cov.json")
	raw, err := os.ReadFile(r.b.HostPath(dataDir + "/cov.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Files map[string]fileCov `json:"files"`
	}
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	return rep.Files
}

// combine combines the data files in dataDir (bed path) into
// dataDir/.coverage: with coverage.py when they are all its own, with
// covkit's merge when lean engine data files are among them.
func (r *bedRun) combine(t *testing.T, dataDir string) {
	t.Helper()
	if !testcombine.Lean(t, r.b.HostPath(dataDir)) {
		r.b.MustRun(t, dataDir, nil, bedPython, "-m", "coverage", "combine", ".")
	}
}

// measuredBy says which engine measures the bed's python3 in a run given
// covhook run's flags.
func measuredBy(b *testbed.Bed, flags []string) pth.Engine {
	if i := slices.Index(flags, "--engine"); i >= 0 && i+1 < len(flags) && flags[i+1] == string(pth.EngineCoverage) {
		return pth.EngineCoverage
	}
	return pth.EngineLean
}

// continuous says whether the bed's python3's data is on disk as it is
// recorded (the lean engine from CPython 3.12), so that any death keeps it.
func continuous(b *testbed.Bed, flags []string) bool {
	return measuredBy(b, flags) == pth.EngineLean && pth.VersionAtLeast(b.PyVersion, pth.LeanMinPython)
}

// notRun lists the lines of a file marked "# not-run".
func notRun(t *testing.T, path string) []int {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []int
	s := bufio.NewScanner(f)
	for n := 1; s.Scan(); n++ {
		if strings.HasSuffix(s.Text(), "# not-run") {
			out = append(out, n)
		}
	}
	return out
}

// TestPipeline runs the pipeline with the default engine: lean where the
// bed's Python has sys.monitoring (3.12+), coverage.py elsewhere.
func TestPipeline(t *testing.T) {
	for _, name := range testbed.Names {
		t.Run(name, func(t *testing.T) { runPipeline(t, name) })
	}
}

// TestPipelineCoverageEngine runs the pipeline with coverage.py measuring
// every process, on every bed.
func TestPipelineCoverageEngine(t *testing.T) {
	for _, name := range testbed.Names {
		t.Run(name, func(t *testing.T) { runPipeline(t, name, "--engine", "coverage") })
	}
}

// TestPipelineSigtermConfigured: with the project's own [run] sigterm = true,
// coverage.py's handler keeps a SIGTERMed process's data.
func TestPipelineSigtermConfigured(t *testing.T) {
	for _, name := range testbed.Names {
		t.Run(name, func(t *testing.T) {
			runPipelineRC(t, name, "[run]\nsigterm = true\n", "--engine", "coverage")
		})
	}
}

// TestPipelineCheckpoint runs the pipeline with a checkpoint thread in every
// process: forks (raw, multiprocessing) must stay silent on 3.12+, which
// warns about forking multi-threaded processes.
func TestPipelineCheckpoint(t *testing.T) {
	for _, name := range testbed.Names {
		t.Run(name, func(t *testing.T) { runPipeline(t, name, "--checkpoint", "50ms") })
	}
}

// TestPipelineHostileConfig runs the pipeline under a project configuration
// that turns on coverage.py's own subprocess machinery (patch=, 7.10+;
// unknown options elsewhere), multiprocessing concurrency, sigterm = false,
// a data_file and no parallel mode: covkit's measurement must not change.
func TestPipelineHostileConfig(t *testing.T) {
	rc := "[run]\npatch = fork, subprocess, execv, _exit\nconcurrency = multiprocessing, thread\nsigterm = false\nparallel = false\ndata_file = project-data\n"
	for _, name := range testbed.Names {
		t.Run(name, func(t *testing.T) { runPipelineRC(t, name, rc) })
	}
}

func runPipeline(t *testing.T, name string, flags ...string) {
	runPipelineRC(t, name, "", flags...)
}

func runPipelineRC(t *testing.T, name, rc string, flags ...string) {
	r := setup(t, name)
	testfiles.CopyDir(t, "testdata/pipeline", filepath.Join(r.host, "p"))
	if rc != "" {
		if err := os.WriteFile(filepath.Join(r.host, "p", ".coveragerc"), []byte(rc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r.b.MustRun(t, r.bed, nil, bedPython, "-m", "venv", "--without-pip", r.bed+"/venv2")
	data := r.bed + "/data"
	args := append([]string{r.covhook, "run", "--python", bedPython, "--data-dir", data}, flags...)
	args = append(args, "--", bedPython, "main.py", r.bed+"/venv2/bin/python")
	res := r.b.Run(t, r.bed+"/p", r.env, args...)
	if res.ExitCode != 0 || res.Stdout != "pipeline ok\n" || res.Stderr != "" {
		t.Fatalf("pipeline: exit %d\nstdout:\n%s\nstderr:\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	if m, _ := filepath.Glob(filepath.Join(r.host, "p", "project-data*")); len(m) > 0 {
		t.Errorf("data written to the project's data_file: %v", m)
	}
	files := r.coverageJSON(t, data)
	// A process killed by SIGTERM keeps its data when the lean engine
	// measured it on 3.12+ (its data is on disk all along) or when the
	// project asked for a SIGTERM handler; covkit never adds one.
	sigtermKept := continuous(r.b, flags) || strings.Contains(rc, "sigterm = true")
	srcs, _ := filepath.Glob(filepath.Join(r.host, "p", "*.py"))
	for _, src := range srcs {
		key := r.bed + "/p/" + filepath.Base(src)
		got, ok := files[key]
		if filepath.Base(src) == "c_sigterm.py" && !sigtermKept {
			if ok {
				t.Errorf("c_sigterm.py measured (%v) although nothing saved its data: covkit changed how it died", got.Executed)
			}
			continue
		}
		if !ok {
			t.Errorf("%s: not measured at all", filepath.Base(src))
			continue
		}
		want := notRun(t, src)
		if !slices.Equal(got.Missing, want) {
			t.Errorf("%s: missing lines %v, want exactly %v (executed %v)", filepath.Base(src), got.Missing, want, got.Executed)
		}
	}
}

func TestFaults(t *testing.T) {
	for _, name := range testbed.Names {
		t.Run(name, func(t *testing.T) {
			r := setup(t, name)
			testfiles.CopyDir(t, "testdata/fault", r.host)
			fake := filepath.Join(r.host, "fake", "coverage")
			os.MkdirAll(fake, 0o755)
			os.WriteFile(filepath.Join(fake, "__init__.py"), []byte("raise RuntimeError('broken coverage.py')\n"), 0o644)
			broken := filepath.Join(r.host, "broken")
			os.MkdirAll(broken, 0o755)
			os.WriteFile(filepath.Join(broken, ".coveragerc"), []byte("[run]\nbranch = maybe\nplugins = no_such_plugin\n"), 0o644)
			driver := r.bed + "/driver.py"
			cases := []struct {
				name string
				dir  string
				env  []string
				argv []string
			}{
				{"coverage unimportable", r.bed, []string{"PYTHONPATH=" + r.bed + "/fake"}, []string{bedPython, driver}},
				{"config broken", r.bed + "/broken", nil, []string{bedPython, driver}},
				{"data dir unwritable", r.bed, nil, []string{"sh", "-c", "rm -rf " + r.bed + "/data3 && touch " + r.bed + "/data3 && exec " + bedPython + " " + driver}},
			}
			for i, c := range cases {
				t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
					args := append([]string{r.covhook, "run", "--python", bedPython, "--data-dir", fmt.Sprintf("%s/data%d", r.bed, i+1), "--"}, c.argv...)
					res := r.b.Run(t, c.dir, append(c.env, r.env...), args...)
					var stderr []string
					for _, l := range strings.Split(strings.TrimSpace(res.Stderr), "\n") {
						if l != "" && !strings.HasPrefix(l, "warning: ") && !strings.HasPrefix(l, "covhook: warning: ") {
							stderr = append(stderr, l)
						}
					}
					if res.ExitCode != 0 || res.Stdout != "ok\n" || len(stderr) > 0 {
						t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.ExitCode, res.Stdout, res.Stderr)
					}
				})
			}
		})
	}
}

func TestInertHook(t *testing.T) {
	for _, name := range testbed.Names {
		t.Run(name, func(t *testing.T) {
			r := setup(t, name)
			res := r.b.MustRun(t, r.bed, r.env, r.covhook, "install", "--python", bedPython)
			t.Cleanup(func() { r.b.Run(t, r.bed, r.env, r.covhook, "remove", "--python", bedPython) })
			if !strings.Contains(res.Stdout, "installed ") {
				t.Fatalf("install said %q", res.Stdout)
			}
			st := r.b.MustRun(t, r.bed, r.env, r.covhook, "status", "--python", bedPython)
			// Another engineer's run may be live in this shared tree.
			if !regexp.MustCompile(`covkit\.pth\tpersistent\t(inert|live: )`).MatchString(st.Stdout) {
				t.Errorf("status: %q", st.Stdout)
			}
			// No run: nothing measured, nothing printed, whatever the env says.
			for _, env := range [][]string{nil, {"COVKIT_RUN=-"}, {"COVKIT_RUN=/nonexistent"}, {"COVKIT_RUN="}} {
				out := r.b.Run(t, r.bed, env, bedPython, "-c", "import sys; print('coverage' in sys.modules)")
				if out.ExitCode != 0 || out.Stdout != "False\n" || out.Stderr != "" {
					t.Errorf("env %v: exit %d stdout %q stderr %q", env, out.ExitCode, out.Stdout, out.Stderr)
				}
			}
			// Idempotent install; remove takes it out.
			r.b.MustRun(t, r.bed, r.env, r.covhook, "install", "--python", bedPython)
			rm := r.b.MustRun(t, r.bed, r.env, r.covhook, "remove", "--python", bedPython)
			if !strings.Contains(rm.Stdout, "removed ") && !strings.Contains(rm.Stderr, "in use by") {
				t.Errorf("remove said %q, %q", rm.Stdout, rm.Stderr)
			}
		})
	}
}

func waitFile(t *testing.T, path string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(path); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", path)
}

func TestIsolation(t *testing.T) {
	for _, name := range testbed.Names {
		t.Run(name, func(t *testing.T) {
			r := setup(t, name)
			testfiles.CopyDir(t, "testdata/iso", r.host)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			var cmds []*exec.Cmd
			var outs []*strings.Builder
			for _, me := range []string{"A", "B"} {
				c := r.b.Command(ctx, r.bed, r.env, r.covhook, "run", "--python", bedPython, "--data-dir", r.bed+"/data"+me,
					"--", bedPython, "iso.py", me)
				var out strings.Builder
				c.Stdout, c.Stderr = &out, &out
				if err := c.Start(); err != nil {
					t.Fatal(err)
				}
				cmds, outs = append(cmds, c), append(outs, &out)
			}
			waitFile(t, r.host+"/ready_A", time.Minute)
			waitFile(t, r.host+"/ready_B", time.Minute)
			// Both hooks live: a process outside either run, scrubbed env.
			out := r.b.Run(t, r.bed, nil, bedPython, r.bed+"/outsider.py")
			if out.ExitCode != 0 || out.Stderr != "" {
				t.Errorf("outsider: %+v", out)
			}
			os.WriteFile(r.host+"/go", nil, 0o644)
			for i, c := range cmds {
				if err := c.Wait(); err != nil {
					t.Fatalf("run %d: %v\n%s", i, err, outs[i])
				}
			}
			for _, me := range []string{"A", "B"} {
				files := r.coverageJSON(t, r.bed+"/data"+me)
				var got []string
				for k := range files {
					if strings.HasPrefix(k, r.bed+"/") {
						got = append(got, filepath.Base(k))
					}
				}
				slices.Sort(got)
				want := []string{"iso.py", "iso_" + me + ".py"}
				if !slices.Equal(got, want) {
					t.Errorf("run %s measured %v, want %v", me, got, want)
				}
			}
		})
	}
}

func TestKilledRunLeavesNoLiveHook(t *testing.T) {
	for _, name := range testbed.Names {
		t.Run(name, func(t *testing.T) {
			r := setup(t, name)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			script := fmt.Sprintf("import os,time; open(%q,'w').write(str(os.getpid())); time.sleep(120)", r.bed+"/started")
			c := r.b.Command(ctx, r.bed, r.env, r.covhook, "run", "--python", bedPython, "--data-dir", r.bed+"/data",
				"--", bedPython, "-c", script)
			if err := c.Start(); err != nil {
				t.Fatal(err)
			}
			waitFile(t, r.host+"/started", time.Minute)
			time.Sleep(100 * time.Millisecond)
			// testbed/enter execs all the way down: this pid is covhook's.
			c.Process.Signal(syscall.SIGKILL)
			c.Wait()
			if b, err := os.ReadFile(r.host + "/started"); err == nil {
				var pid int
				fmt.Sscan(string(b), &pid)
				if pid > 0 {
					syscall.Kill(pid, syscall.SIGKILL)
				}
			}
			var hookDir string
			for _, d := range siteDirs(r.b) {
				ents, _ := os.ReadDir(filepath.Join(d, pth.RegistryDir))
				for _, e := range ents {
					b, _ := os.ReadFile(filepath.Join(d, pth.RegistryDir, e.Name()))
					if strings.Contains(string(b), "run="+r.bed+"/") {
						hookDir = d
					}
				}
			}
			if hookDir == "" {
				t.Fatal("the killed run's registration is gone already")
			}
			if _, err := os.Stat(filepath.Join(hookDir, pth.HookFile)); err != nil {
				t.Fatalf("the killed run's hook is gone already: %v", err)
			}
			before, _ := filepath.Glob(r.host + "/data/.coverage.*")
			// A stale hook is inert, even for a scrubbed environment.
			code := "import sys; print('coverage' in sys.modules)"
			out := r.b.Run(t, r.bed, nil, bedPython, "-c", code)
			if out.ExitCode != 0 || out.Stdout != "False\n" || out.Stderr != "" {
				t.Errorf("python under a stale hook: %+v", out)
			}
			after, _ := filepath.Glob(r.host + "/data/.coverage.*")
			if len(after) != len(before) {
				t.Errorf("stale hook measured a process: %v -> %v", before, after)
			}
			st := r.b.MustRun(t, r.bed, r.env, r.covhook, "status", "--python", bedPython)
			if !regexp.MustCompile(`removed stale .*covkit-runs/covkit-run-`).MatchString(st.Stdout) {
				t.Errorf("status did not remove the stale registration: %q", st.Stdout)
			}
			h, err := pth.StatusDir(hookDir)
			if err != nil {
				t.Fatal(err)
			}
			if h.Installed && len(h.Runs) == 0 {
				t.Errorf("stale hook still in %s", hookDir)
			}
		})
	}
}

// TestLeanNeedsATracer: asking for the lean engine where it cannot measure
// (a Python before 3.12 with no coverage.py, whose compiled tracer it
// uses there) is an error that says why, never a silent change of engine.
func TestLeanNeedsATracer(t *testing.T) {
	r := setup(t, "host")
	py := "/root/.pyenv/versions/3.10.13/bin/python3.10"
	if _, err := os.Stat(py); err != nil {
		t.Skipf("skipping: no Python 3.10 without coverage.py here (%v)", err)
	}
	res := r.b.Run(t, r.bed, r.env, r.covhook, "run", "--python", py, "--engine", "lean", "--data-dir", r.bed+"/data",
		"--", py, "-c", "print('ran')")
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "no coverage.py for Python 3.10") || strings.Contains(res.Stdout, "ran") {
		t.Errorf("--engine lean on Python 3.10 without coverage.py: exit %d, stdout %q, stderr %q", res.ExitCode, res.Stdout, res.Stderr)
	}
}
