package pth

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/covkit/covkit/internal/envlist"
)

// RunOptions configures StartRun.
type RunOptions struct {
	// Pythons are the interpreters whose site-packages get a hook; nil means
	// DefaultPythons(Env). The first one that imports coverage.py lends it
	// to same-version interpreters that cannot.
	Pythons []string
	// NoInstall skips the hooks: only children inheriting the environment
	// are measured.
	NoInstall bool
	// Env is the environment the run's command starts from (nil: this
	// process's); it is used to find and probe interpreters.
	Env []string
	// Dir is where the run directory is made ("": os.TempDir()).
	Dir string
	// DataDir receives the data files ("": a "data" directory in the run
	// directory). It is created if missing.
	DataDir string
	// ProjectDir is where coverage.py looks for the project's configuration
	// and resolves relative paths in it, whatever a child's working
	// directory ("": the current directory).
	ProjectDir string
	// RCFile is the configuration file to use ("": coverage.py's own search
	// in ProjectDir, which honours COVERAGE_RCFILE).
	RCFile string
	// Branch forces branch measurement on.
	Branch bool
	// Contexts labels each process's data with a static context naming its
	// command line (covrun --contexts process).
	Contexts bool
	// Checkpoint, when positive, saves each process's data at this interval
	// while it runs, so that a process killed with SIGKILL loses at most one
	// interval. It costs a thread per measured process.
	Checkpoint time.Duration
	// Detached runs have no owner check: for runs whose processes cannot
	// see this process (another pid namespace). They cannot reach children
	// with a scrubbed environment.
	Detached bool
	// Warnf receives what the run could not do (nil: discarded).
	Warnf func(format string, args ...any)
}

// Run is an active covkit run.
type Run struct {
	ID      string
	Root    string // the run directory
	DataDir string
	// Env holds the variables that activate the run in a child:
	// COVKIT_RUN and PYTHONPATH (the latter keeps Options.Env's entries).
	Env []string
	// Hooks are the site-packages directories in which the run registered.
	Hooks []string
	// Interpreters are the probed target interpreters.
	Interpreters []*Info
	closed       bool
}

// StartRun makes a run directory, installs and registers hooks for the target
// interpreters (falling back to the inherited environment where it cannot,
// and saying so through Warnf), and returns the run. Call Close when the
// run's command has ended.
func StartRun(opts RunOptions) (r *Run, err error) {
	warnf := opts.Warnf
	if warnf == nil {
		warnf = func(string, ...any) {}
	}
	env := opts.Env
	if env == nil {
		env = os.Environ()
	}
	// Whatever a killed run left behind goes first.
	for _, d := range KnownDirs() {
		if writable(d) {
			StatusDir(d)
		}
	}
	base := opts.Dir
	if base == "" {
		base = os.TempDir()
	}
	root, err := os.MkdirTemp(base, "covkit-run-")
	if err != nil {
		return nil, fmt.Errorf("making run directory: %w", err)
	}
	root, err = filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	// Children may run as other users (sudo-like launchers).
	os.Chmod(root, 0o755)
	r = &Run{ID: filepath.Base(root), Root: root, DataDir: opts.DataDir}
	defer func() {
		if err != nil {
			r.Close()
			os.RemoveAll(root)
		}
	}()
	if r.DataDir == "" {
		r.DataDir = filepath.Join(root, "data")
	}
	if r.DataDir, err = filepath.Abs(r.DataDir); err != nil {
		return nil, err
	}
	for _, d := range []string{r.DataDir, filepath.Join(root, "log")} {
		if err := os.MkdirAll(d, 0o777); err != nil {
			return nil, err
		}
		os.Chmod(d, 0o1777)
	}
	boot := filepath.Join(root, "boot")
	if err := os.MkdirAll(boot, 0o755); err != nil {
		return nil, err
	}
	for name, b := range map[string][]byte{BootstrapFile: bootstrapPy, "sitecustomize.py": sitecustomizePy} {
		if err := os.WriteFile(filepath.Join(boot, name), b, 0o644); err != nil {
			return nil, err
		}
	}

	project := opts.ProjectDir
	if project == "" {
		if project, err = os.Getwd(); err != nil {
			return nil, err
		}
	}
	if project, err = filepath.Abs(project); err != nil {
		return nil, err
	}
	rcfile := opts.RCFile
	if rcfile != "" {
		if !filepath.IsAbs(rcfile) {
			rcfile = filepath.Join(project, rcfile)
		}
	}

	pythons := opts.Pythons
	if pythons == nil {
		pythons = DefaultPythons(env)
	}
	probeEnv := setEnv(env, EnvRun, "-")
	var lender *Info
	for _, py := range pythons {
		info, err := InterpreterInfo(py, probeEnv)
		if err != nil {
			warnf("%v", err)
			continue
		}
		r.Interpreters = append(r.Interpreters, info)
		if lender == nil && info.HasCoverage {
			lender = info
		}
		if !info.HasCoverage {
			warnf("%s cannot import coverage.py: only same-version interpreters are measured through it", py)
		}
	}
	cfg := map[string]string{
		"data":    r.DataDir,
		"project": project,
		"rcfile":  rcfile,
		"owner":   "0",
	}
	var entry RunEntry
	if !opts.Detached {
		pid := os.Getpid()
		start, err := procStart(pid)
		if err != nil {
			return nil, fmt.Errorf("reading own start time: %w", err)
		}
		entry = RunEntry{ID: r.ID, Owner: pid, Start: start, Root: root}
		cfg["owner"], cfg["start"] = strconv.Itoa(pid), start
	}
	if lender != nil {
		cp := filepath.Join(root, "covpkg")
		if err := os.MkdirAll(cp, 0o755); err != nil {
			return nil, err
		}
		if err := os.Symlink(lender.CoverageDir, filepath.Join(cp, "coverage")); err != nil {
			return nil, err
		}
		cfg["covpath"], cfg["pyver"] = cp, lender.MajorMinor
	}
	if opts.Branch {
		cfg["branch"] = "1"
	}
	if opts.Contexts {
		cfg["contexts"] = "process"
	}
	if opts.Checkpoint > 0 {
		cfg["checkpoint"] = strconv.FormatFloat(opts.Checkpoint.Seconds(), 'f', -1, 64)
	}
	if err := writeFileAtomic(filepath.Join(root, "run.cfg"), formatKV(cfg)); err != nil {
		return nil, err
	}

	if !opts.NoInstall {
		for _, info := range r.Interpreters {
			if slices.Contains(r.Hooks, info.HookDir) {
				continue
			}
			if opts.Detached {
				warnf("detached run: no hook for %s; only children inheriting the environment are measured", info.Python)
				break
			}
			if !info.Writable {
				warnf("%s is not writable: no hook for %s; children with a scrubbed environment will not be measured (inherited environment still works)", info.HookDir, info.Python)
				continue
			}
			if err := installAndRegister(info.HookDir, entry); err != nil {
				warnf("installing hook in %s: %v; falling back to the inherited environment", info.HookDir, err)
				continue
			}
			r.Hooks = append(r.Hooks, info.HookDir)
		}
	}

	pp := boot
	if old := envlist.Get(env, "PYTHONPATH"); old != "" {
		pp += string(os.PathListSeparator) + old
	}
	r.Env = []string{EnvRun + "=" + root, "PYTHONPATH=" + pp}
	return r, nil
}

func installAndRegister(dir string, e RunEntry) error {
	unlock, err := lockDir(dir)
	if err != nil {
		return err
	}
	defer unlock()
	h, err := tidy(dir)
	if err != nil {
		return err
	}
	mode := ModeRun
	if h.Installed && h.Mode == ModePersistent {
		mode = ModePersistent
	}
	// Register first: the hook must never be live without its entry, and
	// a concurrent tidy never removes a hook that has a live entry.
	if err := register(dir, e); err != nil {
		return err
	}
	if err := writeHookFiles(dir, mode); err != nil {
		unregister(dir, e.ID)
		tidy(dir)
		return err
	}
	rememberDir(dir)
	return nil
}

func unregister(dir, id string) error {
	err := os.Remove(filepath.Join(dir, RegistryDir, id))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

func formatKV(m map[string]string) []byte {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%s\n", k, m[k])
	}
	return []byte(b.String())
}

// Environ returns base with the run activated: COVKIT_RUN set and the boot
// directory first on PYTHONPATH.
func (r *Run) Environ(base []string) []string {
	out := base
	for _, e := range r.Env {
		k, v, _ := strings.Cut(e, "=")
		out = setEnv(out, k, v)
	}
	return out
}

// Close ends the run (idempotent): it deregisters the run, removes hooks no
// other live run uses, and makes the run directory inert, so processes that
// outlive the run are not measured. The data directory stays.
func (r *Run) Close() error {
	if r == nil || r.closed {
		return nil
	}
	r.closed = true
	var errs []error
	// Inert first: a process starting from now on finds no run.cfg.
	if err := os.Remove(filepath.Join(r.Root, "run.cfg")); err != nil && !errors.Is(err, os.ErrNotExist) {
		errs = append(errs, err)
	}
	for _, dir := range r.Hooks {
		unlock, err := lockDir(dir)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := unregister(dir, r.ID); err != nil {
			errs = append(errs, err)
		}
		if _, err := tidy(dir); err != nil {
			errs = append(errs, err)
		}
		unlock()
	}
	os.RemoveAll(filepath.Join(r.Root, "boot"))
	os.RemoveAll(filepath.Join(r.Root, "covpkg"))
	os.Remove(filepath.Join(r.Root, "log")) // only if empty
	os.Remove(r.Root)                       // only if empty: data lives elsewhere
	return errors.Join(errs...)
}

// DataFiles lists the data files the run's processes wrote, sorted.
func (r *Run) DataFiles() ([]string, error) {
	ents, err := os.ReadDir(r.DataDir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		n := e.Name()
		if !e.Type().IsRegular() || !strings.HasPrefix(n, ".coverage.") ||
			strings.HasSuffix(n, "-journal") || strings.HasSuffix(n, "-wal") || strings.HasSuffix(n, "-shm") {
			continue
		}
		out = append(out, filepath.Join(r.DataDir, n))
	}
	sort.Strings(out)
	return out, nil
}

// LogFiles lists the bootstrap's diagnostics (one file per process that
// had something to report: a failed save, a coverage.py warning).
func (r *Run) LogFiles() ([]string, error) {
	m, err := filepath.Glob(filepath.Join(r.Root, "log", "*.log"))
	sort.Strings(m)
	return m, err
}
