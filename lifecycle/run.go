package lifecycle

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/covkit/covkit/analysis"
	"github.com/covkit/covkit/collect"
	"github.com/covkit/covkit/covconfig"
	"github.com/covkit/covkit/dockerkit"
	"github.com/covkit/covkit/filesel"
	"github.com/covkit/covkit/internal/child"
	"github.com/covkit/covkit/internal/cli"
	"github.com/covkit/covkit/internal/envlist"
	"github.com/covkit/covkit/merge"
	"github.com/covkit/covkit/pathmap"
	"github.com/covkit/covkit/pth"
	"github.com/covkit/covkit/report"
	"github.com/covkit/covkit/reporting"
	"github.com/covkit/covkit/sqlitecov"
)

// EnvStepSummary names the file GitHub Actions shows as the job's summary:
// covrun appends its markdown table there.
const EnvStepSummary = "GITHUB_STEP_SUMMARY"

// Options configure one covrun.
type Options struct {
	Command []string // COMMAND [ARGS...]

	Pythons    []string      // interpreters to hook; nil: pth.DefaultPythons
	NoInstall  bool          // inherited environment only, no .pth hooks
	DataFile   string        // merged data file; "": the configured data_file
	Append     bool          // add the run's data to what DataFile already holds (covmerge -a)
	Branch     bool          // force branch measurement
	Contexts   string        // pth.ContextsProcess or pth.ContextsTest: label the data with each process's command line, or the test that ran it
	Checkpoint time.Duration // periodic saves inside coverage.py-measured processes
	KeepData   bool          // keep the run directory with the per-process files
	Paths      []pathmap.Rule
	// Engine measures the processes ("": auto, see ParseEngine).
	Engine pth.Engine
	// Verbose says on stderr what measures each interpreter, and why.
	Verbose bool

	// Report are the report flags; --python-version and --coverage-version
	// override what the data says measured it.
	Report *reporting.Flags

	Dir     string   // working directory ("": the process's)
	Environ []string // the command's base environment (nil: os.Environ())
	Stdin   io.Reader
	Stdout  io.Writer
	Stderr  io.Writer
	// NoSummary turns off the markdown table covrun appends to a GitHub
	// Actions job summary ($GITHUB_STEP_SUMMARY, when set).
	NoSummary bool
	// NoDocker turns off covkit's Docker support (shims and Engine API
	// proxy that measure containers of covdocker-built images).
	NoDocker bool
	// Covdocker is the static covdocker executable the Docker support runs
	// ("": beside the running executable, else on PATH).
	Covdocker string

	// Collect serves the run's collector on this address (":7777"), for
	// processes on other hosts to push their data to (package collect).
	Collect string
	// CollectTLS is "CERT,KEY": the collector serves HTTPS.
	CollectTLS string
	// CollectWait bounds the wait for live clients' final push (0: DefaultCollectWait).
	CollectWait time.Duration
}

// lifecycle is one covrun in progress.
type lifecycle struct {
	o        Options
	dir      string
	environ  []string
	getenv   func(string) string
	warnf    func(format string, args ...any)
	config   *covconfig.Config
	settings reporting.Settings
	sel      *filesel.Selector
	engine   engineChoice
	dataFile string
	run      *pth.Run
	extraMap func(string) (string, bool)
	// collector receives data pushed from other hosts (--collect).
	collector *collect.Server
	// keep says why the run's data must outlive covrun ("" to remove it).
	keep string
}

// Run carries out the whole lifecycle and returns covrun's exit status: the
// command's own (128+N if signal N killed it), or 2 when the command
// succeeded but the total is under --fail-under. An error is a failure of
// covrun itself (the command's status is still returned with it). Having
// nothing to report is a warning, never a failure: the status stays the
// command's.
func Run(o Options) (code int, err error) {
	if child.Unsupported != nil {
		return 1, child.Unsupported
	}
	// Writing to a closed pipe (covrun ... | head) must fail the write, not
	// kill covrun before it cleans up. A handler, unlike SIG_IGN, is not
	// inherited by the command.
	pipe := make(chan os.Signal, 1)
	signal.Notify(pipe, syscall.SIGPIPE)
	defer signal.Stop(pipe)
	l := &lifecycle{o: o}
	if err := l.prepare(); err != nil {
		return 1, err
	}
	if err := l.start(); err != nil {
		return 1, err
	}
	// Hooks come out, and the run directory goes (unless its data must
	// stay), whatever happens below, panics included.
	defer l.cleanup()
	env := l.run.Environ(l.environ)
	if env, err = l.docker(env); err != nil {
		return 1, err
	}
	if env, err = l.startCollector(env); err != nil {
		return 1, err
	}
	code, execErr := child.Run(child.Command{
		Args: o.Command, Env: env, Dir: l.dir,
		Stdin: o.Stdin, Stdout: o.Stdout, Stderr: o.Stderr,
	})
	l.finishCollector()
	l.closeRun()
	if execErr != nil {
		return code, execErr
	}
	data, err := l.collect()
	if err != nil || data == nil {
		return code, err
	}
	return l.report(code, data)
}

// prepare reads the configuration and decides the engine and the files to
// measure, before anything is installed.
func (l *lifecycle) prepare() error {
	o := &l.o
	l.dir = o.Dir
	if l.dir == "" {
		var err error
		if l.dir, err = os.Getwd(); err != nil {
			return err
		}
	}
	l.environ = o.Environ
	if l.environ == nil {
		l.environ = os.Environ()
	}
	l.getenv = envlist.Getter(l.environ)
	l.warnf = func(format string, args ...any) { cli.Warnf(o.Stderr, format, args...) }
	setup, err := NewSetup(l.dir, o.Report.RCFile, l.getenv, o.Engine, o.Branch)
	if err != nil {
		return err
	}
	c := setup.Config
	for _, w := range c.Warnings {
		l.warnf("%s", w)
	}
	l.config, l.settings, l.sel = c, reporting.SettingsFromConfig(c), setup.Select
	l.engine = engineChoice{engine: setup.Engine, why: setup.Why}
	l.dataFile = o.DataFile
	if l.dataFile == "" {
		l.dataFile = l.settings.DataFile
	}
	if !filepath.IsAbs(l.dataFile) {
		l.dataFile = filepath.Join(l.dir, l.dataFile)
	}
	return nil
}

// start makes the run: directory, hooks, registration.
func (l *lifecycle) start() error {
	o := &l.o
	run, err := pth.StartRun(pth.RunOptions{
		Pythons:    o.Pythons,
		NoInstall:  o.NoInstall,
		Env:        l.environ,
		ProjectDir: l.dir,
		RCFile:     o.Report.RCFile,
		Branch:     o.Branch,
		Contexts:   o.Contexts,
		Checkpoint: o.Checkpoint,
		Engine:     l.engine.engine,
		Lean:       leanOptions(l.sel, l.config),
		Warnf:      l.warnf,
	})
	if err != nil {
		return fmt.Errorf("start run: %w", err)
	}
	l.run = run
	if err := CheckLeanInterpreters(l.engine.engine, run.Interpreters); err != nil {
		l.closeRun()
		os.RemoveAll(run.Root)
		l.run = nil
		return err
	}
	if platformNote != "" && !o.Report.Quiet {
		fmt.Fprintf(o.Stderr, "covrun: note: %s\n", platformNote)
	}
	lines := interpreterEngines(l.engine, run.Interpreters)
	os.WriteFile(filepath.Join(run.Root, "log", "engines"), []byte(strings.Join(lines, "\n")+"\n"), 0o600)
	if o.Verbose {
		for _, s := range lines {
			fmt.Fprintf(o.Stderr, "covrun: %s\n", s)
		}
	}
	return nil
}

// docker adds covkit's Docker support to env when the command can call a
// docker client.
func (l *lifecycle) docker(env []string) ([]string, error) {
	if _, err := envlist.LookPath(env, "docker", ""); err != nil {
		// No docker client for the command to call: no shims, which would
		// make a docker appear on PATH where there is none.
		l.o.NoDocker = true
	}
	if l.o.NoDocker {
		return env, nil
	}
	extend := dockerkit.Extend(dockerkit.ExtendOptions{Covdocker: l.o.Covdocker, HostRoot: l.dir, Warnf: l.warnf})
	var err error
	env, l.extraMap, err = extend(l.run, env)
	return env, err
}

func (l *lifecycle) closeRun() {
	if l.run != nil {
		if err := l.run.Close(); err != nil {
			l.warnf("removing hooks: %v", err)
		}
	}
}

// cleanup removes the hooks and the run directory; when the data must stay
// it keeps the data and log directories alone, and says where they are.
func (l *lifecycle) cleanup() {
	if l.run == nil {
		return
	}
	if l.collector != nil {
		l.collector.Close()
	}
	l.closeRun()
	if l.o.KeepData && l.keep == "" {
		l.keep = "--keep-data"
	}
	if l.keep == "" {
		os.RemoveAll(l.run.Root)
		if !isInside(l.run.DataDir, l.run.Root) {
			os.RemoveAll(l.run.DataDir)
		}
		return
	}
	ents, _ := os.ReadDir(l.run.Root)
	for _, e := range ents {
		p := filepath.Join(l.run.Root, e.Name())
		if p != l.run.DataDir && e.Name() != "log" {
			os.RemoveAll(p)
		}
	}
	os.Remove(filepath.Join(l.run.Root, "log")) // only if empty
	fmt.Fprintf(l.o.Stderr, "covrun: per-process data kept in %s (%s); `covmerge %s` combines it\n", l.run.DataDir, l.keep, l.run.DataDir)
}

func isInside(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
}

// collect merges every process's data and writes the run's data file. It
// returns nil data (and no error) when there is nothing to report.
func (l *lifecycle) collect() (*sqlitecov.Data, error) {
	rules := append(l.settings.Paths, l.o.Paths...)
	if !l.o.NoDocker || l.collector != nil {
		// Data written in containers (and pushed from other hosts) names
		// container paths: map each file
		// through the image it came from (the user's [paths] first).
		user, err := userMapper(rules)
		if err != nil {
			return nil, err
		}
		if _, err := dockerkit.Remap(l.run.DataDir, l.dir, user); err != nil {
			l.warnf("mapping container data to host paths: %v", err)
		}
	}
	files, err := l.run.DataFiles()
	if err != nil {
		return nil, fmt.Errorf("list data files: %w", err)
	}
	for _, s := range l.run.Strangers() {
		l.warnf("%s does not belong to this run (not a regular file of its owner or group): ignored", s)
	}
	if logs, _ := l.run.LogFiles(); len(logs) > 0 {
		l.warnf("%d measured processes reported problems; see %s", len(logs), filepath.Dir(logs[0]))
		l.keep = "measured processes reported problems"
	}
	if len(files) == 0 {
		l.warnf("%s", noData)
		return nil, nil
	}
	mapPath, err := pathMapper(rules, l.settings.RelativeFiles, l.extraMap)
	if err != nil {
		return nil, err
	}
	done := func() {}
	if !l.o.Report.Quiet {
		done = cli.Progress(l.o.Stderr, "covrun", len(files))
	}
	mo := merge.Options{Inputs: files, MapPath: mapPath, Select: l.sel}
	if l.o.Append {
		// covmerge -a's way: the data file is the first input.
		mo.Base = l.dataFile
	}
	data, summary, err := merge.Run(mo)
	done()
	if err != nil {
		if errors.Is(err, merge.ErrNoData) {
			l.warnf("no usable coverage data was collected")
			l.keepUnusable(summary)
			return nil, nil
		}
		l.keep = "the merge failed"
		return nil, fmt.Errorf("merge: %w", err)
	}
	l.keepUnusable(summary)
	dropStartupFiles(data, l.dir)
	dropOwnFiles(data, l.run.Root)
	if err := recordInterpreters(data, l.run.Interpreters); err != nil {
		return nil, err
	}
	if err := sqlitecov.WriteFile(l.dataFile, data); err != nil {
		l.keep = "writing the data file failed"
		return nil, fmt.Errorf("write %s: %w", l.dataFile, err)
	}
	return data, nil
}

// noData is the warning for a run that measured nothing: no data file at
// all, or data files naming no file (the lean engine writes none then).
const noData = "no coverage data was collected: the command ran no Python code that the configuration selects"

func (l *lifecycle) keepUnusable(s *merge.Summary) {
	if s == nil {
		return
	}
	for _, u := range s.Unusable {
		l.warnf("%v", u)
		l.keep = "some data files could not be read"
	}
}

// report writes the reports and turns --fail-under into the exit status.
// A reader that goes away (covrun ... | head) is not covrun's failure.
func (l *lifecycle) report(code int, data *sqlitecov.Data) (int, error) {
	if len(data.Files) == 0 {
		// Python ran, but none of the code the configuration selects:
		// there is nothing to analyse, and no version to guess.
		l.warnf("%s", noData)
		return code, nil
	}
	l.dropVanished(data)
	analyzer := analysis.PySourceAnalyzer()
	env := reporting.Env{
		Dir: l.dir, Stdin: l.o.Stdin, Stdout: l.o.Stdout, Stderr: l.o.Stderr, Getenv: l.getenv, Environ: l.environ,
	}
	if !l.o.NoSummary {
		env.StepSummary = l.getenv(EnvStepSummary)
	}
	outcome, err := reporting.WriteReports(analysis.BuilderFor(data), l.o.Report, l.settings, analyzer, env)
	if err == nil && outcome.FailedUnder {
		// --fail-under: only a command that succeeded is failed by coverage.
		if code == 0 {
			return cli.ExitUsage, nil
		}
		return code, nil
	}
	if errors.Is(err, syscall.EPIPE) {
		return code, nil
	}
	if errors.Is(err, report.ErrNoData) {
		l.warnf("no data to report: every measured file is excluded by the configuration")
		return code, nil
	}
	return code, err
}

// dropVanished leaves out of the reports the measured files that no longer
// exist (a test that deletes a module it ran): the rest is reported, with a
// warning for each, as coverage.py's --ignore-errors would. The data file
// keeps them.
func (l *lifecycle) dropVanished(data *sqlitecov.Data) {
	for _, p := range data.Paths() {
		if !pathmap.SourceExists(p) {
			l.warnf("No source for code: '%s' (deleted during the run?): not reported", p)
			delete(data.Files, p)
		}
	}
}

// recordInterpreters records which CPython measured the data where the data
// says only which coverage.py did: the version of the run's interpreters
// with that coverage.py, when they are all one version (the report then
// needs no guess). Data that records its CPython is left as it is.
func recordInterpreters(d *sqlitecov.Data, interps []*pth.Info) error {
	srcs, err := d.Measured()
	if err != nil {
		return err
	}
	changed := false
	for i, s := range srcs {
		if s.Python != "" || s.Coverage == "" {
			continue
		}
		py := ""
		for _, in := range interps {
			if !in.HasCoverage || in.CoverageVersion != s.Coverage || in.MajorMinor == "" {
				continue
			}
			if py != "" && py != in.MajorMinor {
				py = ""
				break
			}
			py = in.MajorMinor
		}
		if py != "" {
			srcs[i].Python = py
			changed = true
		}
	}
	if changed {
		d.SetMeasured(srcs)
	}
	return nil
}

func pathMapper(rules []pathmap.Rule, relative bool, extra func(string) (string, bool)) (func(string) string, error) {
	var m *pathmap.Mapper
	if len(rules) > 0 || relative {
		var err error
		if m, err = pathmap.Compile(rules, pathmap.Options{RelativeFiles: relative}); err != nil {
			return nil, err
		}
	}
	if m == nil && extra == nil {
		return nil, nil
	}
	if extra == nil {
		// coverage combine's memoised mapping: a path keeps its first answer.
		return m.Func(), nil
	}
	return func(p string) string {
		// The user's [paths] wins; covkit's own mapping (containers) is the fallback.
		if m != nil {
			if s, ok := m.Map(p); ok {
				return s
			}
		}
		if extra != nil {
			if s, ok := extra(p); ok {
				return s
			}
		}
		return p
	}, nil
}

// dropStartupFiles removes the interpreter's own start-up customisation
// (Debian's /etc/python3.X/sitecustomize.py, a usercustomize.py) from the
// data when it lies outside the project: covkit starts measuring before
// site runs them, `coverage run` starts after, and they are not the
// project's code.
func dropStartupFiles(d *sqlitecov.Data, project string) {
	for p := range d.Files {
		switch filepath.Base(p) {
		case "sitecustomize.py", "usercustomize.py":
			if rel, err := filepath.Rel(project, p); err != nil || strings.HasPrefix(rel, "..") || filepath.IsAbs(rel) {
				delete(d.Files, p)
			}
		}
	}
}

// dropOwnFiles removes covkit's own modules from the data: those in the
// run directory (its pytest plugin, which coverage.py measures where it is
// the engine, as it would any module pytest imports).
func dropOwnFiles(d *sqlitecov.Data, root string) {
	for p := range d.Files {
		if isInside(p, root) {
			delete(d.Files, p)
		}
	}
}

// userMapper is the [paths] mapping alone, nil without rules.
func userMapper(rules []pathmap.Rule) (func(string) (string, bool), error) {
	if len(rules) == 0 {
		return nil, nil
	}
	m, err := pathmap.Compile(rules, pathmap.Options{})
	if err != nil {
		return nil, err
	}
	return m.Map, nil
}
