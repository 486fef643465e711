package pth

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// fakeBootstrap records the calls the hook line makes.
const fakeBootstrap = `import os
def start(reg=None, from_pth=False):
    with open(os.environ["CALLS"], "a") as f:
        f.write("%s %s\n" % (reg, from_pth))
`

func python(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	t.Skip("no python3")
	return ""
}

// TestHookLine runs the hook line as site does (exec of the line, the site
// directory on sys.path) and checks when it calls the bootstrap.
func TestHookLine(t *testing.T) {
	py := python(t)
	for _, dirName := range []string{"site-packages", `we'ird "dir" \ name`} {
		dir := filepath.Join(t.TempDir(), dirName)
		os.MkdirAll(dir, 0o755)
		os.WriteFile(filepath.Join(dir, BootstrapFile), []byte(fakeBootstrap), 0o644)
		os.WriteFile(filepath.Join(dir, HookFile), HookLine(dir, ModeRun), 0o644)
		reg := filepath.Join(dir, RegistryDir)
		calls := filepath.Join(t.TempDir(), "calls")
		site := `import sys; sys.path.insert(0, sys.argv[1]); [exec(l) for l in open(sys.argv[1] + "/covkit.pth").read().splitlines() if l.startswith("import ")]`
		tests := []struct {
			name     string
			env      []string
			registry bool
			want     bool
		}{
			{"no run", nil, false, false},
			{"registry", nil, true, true},
			{"env", []string{EnvRun + "=/x"}, false, true},
			{"env off", []string{EnvRun + "=-"}, true, true}, // the bootstrap decides
		}
		for _, tc := range tests {
			os.Remove(calls)
			os.RemoveAll(reg)
			if tc.registry {
				os.Mkdir(reg, 0o755)
			}
			cmd := exec.Command(py, "-S", "-c", site, dir)
			cmd.Env = append([]string{"CALLS=" + calls, "PATH=/usr/bin:/bin"}, tc.env...)
			out, err := cmd.CombinedOutput()
			if err != nil || len(out) > 0 {
				t.Fatalf("%s/%s: %v: %s", dirName, tc.name, err, out)
			}
			b, _ := os.ReadFile(calls)
			if got := len(b) > 0; got != tc.want {
				t.Errorf("%s/%s: bootstrap called %v, want %v", dirName, tc.name, got, tc.want)
			}
			if tc.want && string(b) != reg+" True\n" {
				t.Errorf("%s/%s: bootstrap got %q, want registry %q", dirName, tc.name, b, reg)
			}
		}
	}
}

// deadProcess returns the pid of a process that has exited.
func deadProcess(t *testing.T) int {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip(err)
	}
	return cmd.Process.Pid
}

func TestRegistryLifecycle(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("COVKIT_STATE_DIR", t.TempDir())
	start, err := procStart(os.Getpid())
	if err != nil {
		t.Skip("no /proc:", err)
	}
	live := RunEntry{ID: "covkit-run-live", Owner: os.Getpid(), Start: start, Root: "/r/live"}
	stale := RunEntry{ID: "covkit-run-stale", Owner: deadProcess(t), Start: "1", Root: "/r/stale"}
	reused := RunEntry{ID: "covkit-run-reused", Owner: os.Getpid(), Start: start + "0", Root: "/r/reused"}

	if err := installAndRegister(dir, stale, nil); err != nil {
		t.Fatal(err)
	}
	register(dir, reused)
	h, err := StatusDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if h.Installed || h.Live() || len(h.Removed) != 3+len(installedNames) {
		t.Fatalf("stale runs: hook %+v, want everything removed (2 registry entries, registry, hook, bootstrap modules)", h)
	}

	if err := installAndRegister(dir, live, nil); err != nil {
		t.Fatal(err)
	}
	register(dir, stale)
	h, _ = StatusDir(dir)
	if !h.Installed || !h.Live() || h.Mode != ModeRun || !h.Current || len(h.Runs) != 1 || h.Runs[0] != live {
		t.Fatalf("live run: %+v", h)
	}
	if !slices.Contains(h.Removed, filepath.Join(dir, RegistryDir, stale.ID)) {
		t.Errorf("stale entry not removed: %v", h.Removed)
	}
	if !slices.Contains(KnownDirs(), dir) {
		t.Errorf("KnownDirs %v lacks %s", KnownDirs(), dir)
	}

	// A persistent install over a run's hook; remove hands it back to the
	// run instead of pulling it from under it; --force removes it.
	if h, err = InstallDir(dir, ModePersistent); err != nil || h.Mode != ModePersistent {
		t.Fatalf("install: %+v, %v", h, err)
	}
	if h, err = RemoveDir(dir, false); err != nil || !h.Installed || h.Mode != ModeRun {
		t.Fatalf("remove with a live run: %+v, %v", h, err)
	}
	if h, err = RemoveDir(dir, true); err != nil || h.Installed {
		t.Fatalf("forced remove: %+v, %v", h, err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 0 {
		t.Errorf("left in dir: %v", ents)
	}
	// Idempotent.
	if _, err := RemoveDir(dir, true); err != nil {
		t.Error(err)
	}
}

func TestStartRunInheritedOnly(t *testing.T) {
	t.Setenv("COVKIT_STATE_DIR", t.TempDir())
	base := t.TempDir()
	var warnings []string
	r, err := StartRun(RunOptions{
		Pythons: []string{}, Dir: base, ProjectDir: "/proj", RCFile: "cov.ini", Branch: true, Contexts: ContextsProcess,
		Checkpoint: 1500e6, Env: []string{"PYTHONPATH=/keep"},
		Warnf: func(f string, a ...any) { warnings = append(warnings, f) },
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := os.ReadFile(filepath.Join(r.Root, "run.cfg"))
	if err != nil {
		t.Fatal(err)
	}
	m := parseKV(cfg)
	want := map[string]string{
		"data": r.DataDir, "project": "/proj", "rcfile": "/proj/cov.ini", "branch": "1",
		"contexts": "process", "checkpoint": "1.5", "owner": strconv.Itoa(os.Getpid()),
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("run.cfg %s=%q, want %q", k, m[k], v)
		}
	}
	boot := filepath.Join(r.Root, "boot")
	plugins := filepath.Join(r.Root, "plugins")
	if !slices.Equal(r.Env, []string{EnvRun + "=" + r.Root, "PYTEST_PLUGINS=" + PytestPlugin, "PYTHONPATH=" + boot + ":" + plugins + ":/keep"}) {
		t.Errorf("Env = %q", r.Env)
	}
	env := r.Environ([]string{"A=1", "PYTHONPATH=/other", EnvRun + "=old"})
	if !slices.Contains(env, "A=1") || !slices.Contains(env, EnvRun+"="+r.Root) || slices.Contains(env, EnvRun+"=old") {
		t.Errorf("Environ = %q", env)
	}
	for _, f := range []string{BootstrapFile, "sitecustomize.py"} {
		if _, err := os.Stat(filepath.Join(boot, f)); err != nil {
			t.Error(err)
		}
	}
	os.WriteFile(filepath.Join(r.DataDir, ".coverage.h.1.x"), nil, 0o644)
	os.WriteFile(filepath.Join(r.DataDir, ".coverage.h.1.x-journal"), nil, 0o644)
	if got, _ := r.DataFiles(); len(got) != 1 || !strings.HasSuffix(got[0], ".coverage.h.1.x") {
		t.Errorf("DataFiles = %v", got)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
	if _, err := os.Stat(filepath.Join(r.Root, "run.cfg")); err == nil {
		t.Error("run.cfg survives Close: processes outliving the run would still be measured")
	}
	if _, err := os.Stat(r.DataDir); err != nil {
		t.Error("Close removed the data:", err)
	}
}

func TestParseKV(t *testing.T) {
	m := parseKV([]byte("a=1\nb = x=y\n\nnoequals\nc=\n"))
	if m["a"] != "1" || m["b"] != " x=y" || m["c"] != "" || len(m) != 3 {
		t.Errorf("%q", m)
	}
}

// TestBootstrapPython39 checks that the embedded Python parses with the
// grammar of the oldest supported CPython.
func TestBootstrapPython39(t *testing.T) {
	py := python(t)
	for name, src := range map[string][]byte{BootstrapFile: bootstrapPy, "sitecustomize.py": sitecustomizePy} {
		cmd := exec.Command(py, "-c", "import ast, sys; ast.parse(sys.stdin.read(), sys.argv[1], feature_version=(3, 9))", name)
		cmd.Stdin = strings.NewReader(string(src))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s does not parse as Python 3.9: %v\n%s", name, err, out)
		}
	}
}

func FuzzParseKV(f *testing.F) {
	f.Add([]byte("owner=1\nstart=2\nrun=/x\n"))
	f.Add([]byte("=\n==\n\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m := parseKV(b)
		// What formatKV writes, parseKV reads back.
		clean := kv{}
		for k, v := range m {
			if k != "" && !strings.ContainsAny(k, "=\n") && k == strings.TrimSpace(k) && !strings.Contains(v, "\n") {
				clean[k] = v
			}
		}
		back := parseKV(formatKV(clean))
		for k, v := range clean {
			if back[k] != v {
				t.Fatalf("%q: %q -> %q", k, v, back[k])
			}
		}
	})
}

// The remote client installed beside a persistent hook goes with it.
func TestInstallRemote(t *testing.T) {
	dir := t.TempDir()
	if _, err := InstallDir(dir, ModePersistent); err != nil {
		t.Fatal(err)
	}
	if err := InstallRemote(dir); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{RemoteHookFile, RemoteModuleFile} {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil || string(b) != string(RemoteFiles()[n]) {
			t.Fatalf("%s: %v", n, err)
		}
	}
	h, err := RemoveDir(dir, false)
	if err != nil || h.Installed {
		t.Fatalf("remove: %+v, %v", h, err)
	}
	for _, n := range []string{RemoteHookFile, RemoteModuleFile} {
		if _, err := os.Stat(filepath.Join(dir, n)); err == nil || !slices.Contains(h.Removed, filepath.Join(dir, n)) {
			t.Errorf("%s not removed (removed %v)", n, h.Removed)
		}
	}
}
