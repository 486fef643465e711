package pth

import (
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/covkit/covkit/filesel"
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
	// Contexts labels what is measured: ContextsProcess with each process's
	// command line, ContextsTest with the test that ran it ("" for none).
	Contexts string
	// Checkpoint, when positive, saves each process's data at this interval
	// while it runs, so that a process killed with SIGKILL loses at most one
	// interval. It costs a thread per coverage.py-measured process (the lean
	// engine's data is always on disk).
	Checkpoint time.Duration
	// Engine measures the processes: EngineLean, EngineCoverage, or
	// EngineAuto (lean in every process whose interpreter can run it).
	// "" is EngineCoverage.
	Engine Engine
	// Lean is the file pre-selection lean processes make.
	Lean LeanOptions
	// Detached runs have no owner check: for runs whose processes cannot
	// see this process (another pid namespace). They cannot reach children
	// with a scrubbed environment.
	Detached bool
	// Warnf receives what the run could not do (nil: discarded).
	Warnf func(format string, args ...any)
}

// Engine says what measures a process.
type Engine string

const (
	EngineAuto     Engine = "auto"     // lean where the interpreter can run it, coverage.py elsewhere
	EngineLean     Engine = "lean"     // covkit's sys.monitoring tracer (CPython 3.12+)
	EngineCoverage Engine = "coverage" // coverage.py
)

// Kinds of contexts a run labels its data with (RunOptions.Contexts).
const (
	ContextsProcess = "process" // each process's command line
	ContextsTest    = "test"    // the pytest test (id and phase) that ran the code, in whatever process
)

// LeanMinPython is the first CPython the lean engine runs on (sys.monitoring).
const LeanMinPython = "3.12"

// LeanOptions are what a lean process needs to pre-select the files it
// records; a filesel.Selector decides exactly afterwards.
type LeanOptions struct {
	Mode       string   // filesel.Mode: "default", "source" or "all"
	SourceDirs []string // canonical source directories (source mode)
	SourcePkgs []string // source packages (source mode)
	CoverPylib bool
	// OmitDirs are directories no measured file lies in (filesel's
	// OmitDirs): a process skips files under them, as coverage.py does.
	OmitDirs []string
	// Sigterm is the project's [run] sigterm: before CPython 3.12 the lean
	// engine then saves on SIGTERM (coverage.py's behaviour); from 3.12 its
	// data is on disk anyway.
	Sigterm bool
	// Coverage is the coverage.py version ("7.16") whose rules the run's
	// reports follow, recorded in each lean data file.
	Coverage string
}

// Run is an active covkit run.
type Run struct {
	ID      string
	Root    string // the run directory
	DataDir string
	// Env holds the variables that activate the run in a child:
	// COVKIT_RUN, PYTEST_PLUGINS and PYTHONPATH (the last two keep
	// Options.Env's entries).
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
	if opts.Warnf == nil {
		opts.Warnf = func(string, ...any) {}
	}
	if opts.Env == nil {
		opts.Env = os.Environ()
	}
	Tidy()
	r, err = makeRunDir(opts)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			r.Close()
			os.RemoveAll(r.Root)
		}
	}()
	project, err := projectDir(opts.ProjectDir)
	if err != nil {
		return nil, err
	}
	lender := r.probe(opts)
	cfg, entry, err := r.config(opts, project, lender)
	if err != nil {
		return nil, err
	}
	if err := writeFileAtomic(filepath.Join(r.Root, "run.cfg"), formatKV(cfg)); err != nil {
		return nil, err
	}
	if !opts.NoInstall {
		r.installHooks(opts, entry)
	}
	r.Env = r.environ(opts)
	return r, nil
}

// Tidy removes what runs killed before they could clean up left in the
// directories covkit installed hooks into: their registrations, and hooks
// no live run uses (which cost every Python start-up a look for a run).
// Every covkit command that touches data calls it first.
func Tidy() {
	for _, d := range KnownDirs() {
		if writable(d) {
			StatusDir(d)
		}
	}
}

// environ is what a child needs in its environment to join the run: the
// run directory, the boot directory first on PYTHONPATH, and covkit's
// pytest plugin (from a directory of its own, which stays on sys.path after
// the boot directory leaves it), which turns pytest-cov off in measured
// sessions and, with test contexts, labels each test's phases.
func (r *Run) environ(opts RunOptions) []string {
	pp := []string{filepath.Join(r.Root, "boot"), filepath.Join(r.Root, "plugins")}
	env := []string{EnvRun + "=" + r.Root}
	plugins := PytestPlugin
	if old := envlist.Get(opts.Env, "PYTEST_PLUGINS"); old != "" {
		plugins = old + "," + plugins
	}
	env = append(env, "PYTEST_PLUGINS="+plugins)
	if old := envlist.Get(opts.Env, "PYTHONPATH"); old != "" {
		pp = append(pp, old)
	}
	return append(env, "PYTHONPATH="+strings.Join(pp, string(os.PathListSeparator)))
}

// makeRunDir makes the run directory: run.cfg and the boot directory
// readable by the run's processes, data/, log/ and interp/ writable by the
// run's owner alone.
func makeRunDir(opts RunOptions) (*Run, error) {
	base := opts.Dir
	if base == "" {
		base = os.TempDir()
	}
	root, err := os.MkdirTemp(base, "covkit-run-")
	if err != nil {
		return nil, fmt.Errorf("making run directory: %w", err)
	}
	if root, err = filepath.Abs(root); err != nil {
		return nil, err
	}
	os.Chmod(root, 0o755)
	r := &Run{ID: filepath.Base(root), Root: root, DataDir: opts.DataDir}
	if r.DataDir == "" {
		r.DataDir = filepath.Join(root, "data")
	}
	if r.DataDir, err = filepath.Abs(r.DataDir); err != nil {
		return r, err
	}
	for _, d := range []string{r.DataDir, filepath.Join(root, "log"), filepath.Join(root, "interp")} {
		if err := makePrivateDir(d); err != nil {
			return r, err
		}
	}
	for dir, files := range map[string]map[string][]byte{"boot": BootFiles(), "plugins": {PytestPlugin + ".py": pytestPluginPy}} {
		d := filepath.Join(root, dir)
		if err := os.MkdirAll(d, 0o755); err != nil {
			return r, err
		}
		for name, b := range files {
			if err := os.WriteFile(filepath.Join(d, name), b, 0o644); err != nil {
				return r, err
			}
		}
	}
	return r, nil
}

// makePrivateDir makes dir (and missing parents) and makes sure nobody but
// this user can write in it: a run's data must not be forged, moved away or
// redirected by another local user. A directory given that is writable by
// others is an error, not silently changed.
func makePrivateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	st, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return fmt.Errorf("%s: not a directory", dir)
	}
	if uid, _, ok := fileOwner(st); ok && uid != os.Getuid() {
		return fmt.Errorf("%s: owned by uid %d, not by this user", dir, uid)
	}
	if st.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("%s: writable by other users (mode %v)", dir, st.Mode().Perm())
	}
	return nil
}

func projectDir(dir string) (string, error) {
	if dir == "" {
		return os.Getwd()
	}
	return filepath.Abs(dir)
}

// probe learns about the target interpreters, writes the facts lean
// processes need about each into the run's interp directory, and returns
// the first one that can import coverage.py (nil if none can).
func (r *Run) probe(opts RunOptions) (lender *Info) {
	pythons := opts.Pythons
	if pythons == nil {
		pythons = DefaultPythons(opts.Env)
	}
	probeEnv := envlist.Set(opts.Env, EnvRun, "-")
	for _, py := range pythons {
		info, err := probe(py, probeEnv, filepath.Join(r.Root, "boot"))
		if err != nil {
			opts.Warnf("%v", err)
			continue
		}
		r.Interpreters = append(r.Interpreters, info)
		if lender == nil && info.HasCoverage {
			lender = info
		}
		if !info.HasCoverage && !leanCapable(info, opts.Engine) {
			opts.Warnf("%s cannot import coverage.py: only same-version interpreters are measured through it", py)
		}
		if info.InterpKey != "" {
			facts := formatKV(map[string]string{
				"pylib": strings.Join(info.Pylib, "\x00"), "third": strings.Join(info.Third, "\x00"),
				"pylib_mods": strings.Join(info.PylibMods, "\x00"), "third_posix": strings.Join(info.ThirdPosix, "\x00"),
			})
			writeFileAtomic(filepath.Join(r.Root, "interp", info.InterpKey), facts)
		}
	}
	return lender
}

// leanCapable reports whether the lean engine measures info's processes.
func leanCapable(info *Info, e Engine) bool {
	return (e == EngineLean || e == EngineAuto) && VersionAtLeast(info.MajorMinor, LeanMinPython)
}

// LeanFor says how the lean engine measures the processes of interpreter
// info in a run with interpreters all, and
// why not when it cannot: from CPython 3.12 with sys.monitoring; before,
// with coverage.py's compiled line tracer (info's own coverage.py, or one
// a same-version interpreter lends), writing covkit's data at exit.
func LeanFor(info *Info, all []*Info) (how, whyNot string) {
	if VersionAtLeast(info.MajorMinor, LeanMinPython) {
		return "lean engine", ""
	}
	for _, in := range all {
		if in.HasCoverage && in.MajorMinor == info.MajorMinor {
			return "lean engine (coverage.py's compiled tracer, data written at exit)", ""
		}
	}
	return "", "no coverage.py for Python " + info.MajorMinor + ", whose compiled tracer the lean engine uses before CPython " + LeanMinPython
}

// VersionAtLeast compares "major.minor" versions.
func VersionAtLeast(v, min string) bool {
	var a, b, c, d int
	if _, err := fmt.Sscanf(v, "%d.%d", &a, &b); err != nil {
		return false
	}
	fmt.Sscanf(min, "%d.%d", &c, &d)
	return a > c || a == c && b >= d
}

// config is run.cfg: what every measured process reads at start-up, and
// the registry entry of this run's owner.
func (r *Run) config(opts RunOptions, project string, lender *Info) (map[string]string, RunEntry, error) {
	rcfile := opts.RCFile
	if rcfile != "" && !filepath.IsAbs(rcfile) {
		rcfile = filepath.Join(project, rcfile)
	}
	cfg := map[string]string{
		"data":    r.DataDir,
		"project": project,
		"rcfile":  rcfile,
		"owner":   "0",
		"engine":  string(EngineCoverage),
	}
	var entry RunEntry
	if !opts.Detached {
		pid := os.Getpid()
		start, err := procStart(pid)
		if err != nil {
			return nil, entry, fmt.Errorf("reading own start time: %w", err)
		}
		entry = RunEntry{ID: r.ID, Owner: pid, Start: start, Root: r.Root}
		cfg["owner"], cfg["start"] = strconv.Itoa(pid), start
	}
	if lender != nil {
		cp := filepath.Join(r.Root, "covpkg")
		if err := os.MkdirAll(cp, 0o755); err != nil {
			return nil, entry, err
		}
		if err := os.Symlink(lender.CoverageDir, filepath.Join(cp, "coverage")); err != nil {
			return nil, entry, err
		}
		cfg["covpath"], cfg["pyver"] = cp, lender.MajorMinor
	}
	if opts.Branch {
		cfg["branch"] = "1"
	}
	if opts.Contexts != "" {
		cfg["contexts"] = opts.Contexts
	}
	if opts.Checkpoint > 0 {
		cfg["checkpoint"] = strconv.FormatFloat(opts.Checkpoint.Seconds(), 'f', -1, 64)
	}
	if opts.Engine != "" {
		cfg["engine"] = string(opts.Engine)
	}
	maps.Copy(cfg, leanConfig(opts.Lean, lender))
	return cfg, entry, nil
}

// leanConfig is the part of run.cfg the lean engine reads.
func leanConfig(l LeanOptions, lender *Info) map[string]string {
	cfg := map[string]string{"sel": l.Mode, "coverage": l.Coverage}
	if cfg["coverage"] == "" && lender != nil {
		cfg["coverage"] = lender.CoverageVersion
	}
	cfg["rules"] = string(filesel.RulesFor(cfg["coverage"]))
	if cfg["sel"] == "" {
		cfg["sel"] = "default"
	}
	if len(l.SourceDirs) > 0 {
		cfg["src"] = strings.Join(l.SourceDirs, "\x00")
	}
	if len(l.SourcePkgs) > 0 {
		cfg["pkgs"] = strings.Join(l.SourcePkgs, ",")
	}
	if l.CoverPylib {
		cfg["cover_pylib"] = "1"
	}
	if len(l.OmitDirs) > 0 {
		cfg["omit_dirs"] = strings.Join(l.OmitDirs, "\x00")
	}
	if l.Sigterm {
		cfg["sigterm"] = "1"
	}
	if lender != nil && lender.CoverageDir != "" {
		// coverage.py never measures itself.
		cfg["skip"] = lender.CoverageDir
	}
	return cfg
}

// installHooks installs and registers a hook for each target interpreter
// it can, saying why where it cannot.
func (r *Run) installHooks(opts RunOptions, entry RunEntry) {
	for _, info := range r.Interpreters {
		if slices.Contains(r.Hooks, info.HookDir) {
			continue
		}
		if opts.Detached {
			opts.Warnf("detached run: no hook for %s; only children inheriting the environment are measured", info.Python)
			return
		}
		if !info.Writable {
			opts.Warnf("%s is not writable: no hook for %s; children with a scrubbed environment will not be measured (inherited environment still works)", info.HookDir, info.Python)
			continue
		}
		if err := installAndRegister(info.HookDir, entry, r.pycsFor(info.HookDir)); err != nil {
			opts.Warnf("installing hook in %s: %v; falling back to the inherited environment", info.HookDir, err)
			continue
		}
		r.Hooks = append(r.Hooks, info.HookDir)
	}
}

// pycsFor gathers the compiled modules of every probed interpreter whose
// hook goes into dir.
func (r *Run) pycsFor(dir string) map[string][]byte {
	out := map[string][]byte{}
	for _, in := range r.Interpreters {
		if in.HookDir == dir {
			maps.Copy(out, in.Pycs)
		}
	}
	return out
}

func installAndRegister(dir string, e RunEntry, pycs map[string][]byte) error {
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
	writePycs(dir, pycs)
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
		out = envlist.Set(out, k, v)
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
	os.RemoveAll(filepath.Join(r.Root, "plugins"))
	os.RemoveAll(filepath.Join(r.Root, "interp"))
	os.Remove(filepath.Join(r.Root, "log")) // only if empty
	os.Remove(r.Root)                       // only if empty: data lives elsewhere
	return errors.Join(errs...)
}

// DataFiles lists the data files the run's processes wrote, sorted: the
// regular files named as data files that belong to the run (see Owns).
func (r *Run) DataFiles() ([]string, error) {
	files, _, err := r.dataFiles()
	return files, err
}

// Strangers lists the files named as data files in the data directory that
// do not belong to the run: DataFiles leaves them out.
func (r *Run) Strangers() []string {
	_, s, _ := r.dataFiles()
	return s
}

func (r *Run) dataFiles() (files, strangers []string, err error) {
	ents, err := os.ReadDir(r.DataDir)
	if err != nil {
		return nil, nil, err
	}
	for _, e := range ents {
		n := e.Name()
		if !(strings.HasPrefix(n, ".coverage.") || strings.HasPrefix(n, ".covkit.")) ||
			strings.HasSuffix(n, "-journal") || strings.HasSuffix(n, "-wal") || strings.HasSuffix(n, "-shm") {
			continue
		}
		p := filepath.Join(r.DataDir, n)
		if st, err := os.Lstat(p); err != nil || !r.Owns(st) {
			strangers = append(strangers, p)
			continue
		}
		files = append(files, p)
	}
	sort.Strings(files)
	sort.Strings(strangers)
	return files, strangers, nil
}

// Owns reports whether a file belongs to the run: a regular file of the
// run's owner, or of the run's group (what its containers write).
func (r *Run) Owns(st os.FileInfo) bool {
	if !st.Mode().IsRegular() {
		return false
	}
	uid, gid, ok := fileOwner(st)
	if !ok {
		return true
	}
	return uid == os.Getuid() || gid == r.Group()
}

// Group is the group through which the run's containers write their data:
// as root, a group id of the run's own that no group in /etc/group has (so
// no local user is in it); otherwise the user's own group.
func (r *Run) Group() int {
	if os.Getuid() != 0 {
		return os.Getgid()
	}
	used := map[int]bool{}
	if b, err := os.ReadFile("/etc/group"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Split(line, ":"); len(f) > 2 {
				if id, err := strconv.Atoi(f[2]); err == nil {
					used[id] = true
				}
			}
		}
	}
	h := fnv.New32a()
	h.Write([]byte(r.Root))
	for {
		gid := int(0x40000000 | h.Sum32()&0x3fffffff)
		if !used[gid] {
			return gid
		}
		h.Write([]byte{0})
	}
}

// LogFiles lists the bootstrap's diagnostics (one file per process that
// had something to report: a failed save, a coverage.py warning).
func (r *Run) LogFiles() ([]string, error) {
	m, err := filepath.Glob(filepath.Join(r.Root, "log", "*.log"))
	sort.Strings(m)
	return m, err
}
