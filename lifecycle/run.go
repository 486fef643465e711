package lifecycle

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/covkit/covkit/analysis"
	"github.com/covkit/covkit/dockerkit"
	"github.com/covkit/covkit/internal/cli"
	"github.com/covkit/covkit/internal/envlist"
	"github.com/covkit/covkit/merge"
	"github.com/covkit/covkit/pathmap"
	"github.com/covkit/covkit/pth"
	"github.com/covkit/covkit/pyarcs"
	"github.com/covkit/covkit/sqlitecov"
)

// Options configure one covrun.
type Options struct {
	Command []string // COMMAND [ARGS...]

	Pythons    []string      // interpreters to hook; nil: pth.DefaultPythons
	NoInstall  bool          // inherited environment only, no .pth hooks
	DataFile   string        // merged data file; "": the configured data_file
	Branch     bool          // force branch measurement
	Contexts   bool          // label each process's data with its command line
	Checkpoint time.Duration // periodic saves inside measured processes
	KeepData   bool          // keep the run directory with the per-process files
	Paths      []pathmap.Rule

	// Report are the report flags; --python-version and --coverage-version
	// override what the data says measured it.
	Report *analysis.Flags

	Dir     string   // working directory ("": the process's)
	Environ []string // the command's base environment (nil: os.Environ())
	Stdin   io.Reader
	Stdout  io.Writer
	Stderr  io.Writer
	// NoDocker turns off covkit's Docker support (shims and Engine API
	// proxy that measure containers of covdocker-built images).
	NoDocker bool
	// Covdocker is the static covdocker executable the Docker support runs
	// ("": beside the running executable, else on PATH).
	Covdocker string
}

// Run carries out the whole lifecycle and returns covrun's exit status: the
// command's own (128+N if signal N killed it), or 2 when the command
// succeeded but the total is under --fail-under. An error is a failure of
// covrun itself (the command's status is still returned with it).
func Run(o Options) (code int, err error) {
	dir := o.Dir
	if dir == "" {
		if dir, err = os.Getwd(); err != nil {
			return 1, err
		}
	}
	environ := o.Environ
	if environ == nil {
		environ = os.Environ()
	}
	getenv := envlist.Getter(environ)
	warnf := func(format string, args ...any) { cli.Warnf(o.Stderr, format, args...) }

	settings, warnings, err := analysis.LoadSettings(dir, o.Report.RCFile, getenv)
	if err != nil {
		return 1, err
	}
	for _, w := range warnings {
		warnf("%s", w)
	}
	dataFile := o.DataFile
	if dataFile == "" {
		dataFile = settings.DataFile
	}
	if !filepath.IsAbs(dataFile) {
		dataFile = filepath.Join(dir, dataFile)
	}

	run, err := pth.StartRun(pth.RunOptions{
		Pythons:    o.Pythons,
		NoInstall:  o.NoInstall,
		Env:        environ,
		ProjectDir: dir,
		RCFile:     o.Report.RCFile,
		Branch:     o.Branch,
		Contexts:   o.Contexts,
		Checkpoint: o.Checkpoint,
		Warnf:      warnf,
	})
	if err != nil {
		return 1, fmt.Errorf("start run: %w", err)
	}
	closed := false
	closeRun := func() {
		if !closed {
			closed = true
			if err := run.Close(); err != nil {
				warnf("removing hooks: %v", err)
			}
		}
	}
	// Hooks come out whatever happens below, panics included.
	defer closeRun()
	defer func() {
		if !o.KeepData {
			os.RemoveAll(run.Root)
		}
	}()

	env := run.Environ(environ)
	var extraMap func(string) (string, bool)
	if _, err := envlist.LookPath(env, "docker", ""); err != nil {
		// No docker client for the command to call: no shims, which would
		// make a docker appear on PATH where there is none.
		o.NoDocker = true
	}
	if !o.NoDocker {
		extend := dockerkit.Extend(dockerkit.ExtendOptions{Covdocker: o.Covdocker, HostRoot: dir, Warnf: warnf})
		if env, extraMap, err = extend(run, env); err != nil {
			return 1, err
		}
	}

	code, execErr := Exec(Command{
		Args: o.Command, Env: env, Dir: dir,
		Stdin: o.Stdin, Stdout: o.Stdout, Stderr: o.Stderr,
	})
	closeRun()
	if execErr != nil {
		return code, execErr
	}

	rules := append(settings.Paths, o.Paths...)
	if !o.NoDocker {
		// Data written in containers names container paths: map each file
		// through the image it came from (the user's [paths] first).
		user, err := userMapper(rules)
		if err != nil {
			return code, err
		}
		if _, err := dockerkit.Remap(run.DataDir, dir, user); err != nil {
			warnf("mapping container data to host paths: %v", err)
		}
	}
	files, err := run.DataFiles()
	if err != nil {
		return code, fmt.Errorf("list data files: %w", err)
	}
	if logs, _ := run.LogFiles(); len(logs) > 0 {
		warnf("%d measured processes reported problems; see %s", len(logs), filepath.Dir(logs[0]))
		o.KeepData = true
	}
	if len(files) == 0 {
		warnf("no coverage data was collected: did the command run any Python?")
		return code, nil
	}

	mapPath, err := pathMapper(rules, settings.RelativeFiles, extraMap)
	if err != nil {
		return code, err
	}
	progress := newProgress(o.Stderr, len(files))
	data, summary, err := merge.Run(merge.Options{Inputs: files, MapPath: mapPath})
	progress.done()
	if err != nil {
		if errors.Is(err, merge.ErrNoData) {
			warnf("no usable coverage data was collected")
			return code, nil
		}
		return code, fmt.Errorf("merge: %w", err)
	}
	for _, u := range summary.Unusable {
		warnf("%v", u)
		o.KeepData = true
	}
	dropStartupFiles(data, dir)
	if err := recordInterpreters(data, run.Interpreters); err != nil {
		return code, err
	}
	if err := sqlitecov.WriteFile(dataFile, data); err != nil {
		return code, fmt.Errorf("write %s: %w", dataFile, err)
	}

	analyzer := analysis.PySourceAnalyzerWith(pyarcs.Facts)
	_, err = analysis.WriteReports(data, o.Report, settings, analyzer, analysis.Env{
		Dir: dir, Stdin: o.Stdin, Stdout: o.Stdout, Stderr: o.Stderr, Getenv: getenv, Environ: environ,
	})
	var ec *cli.ExitCodeError
	if errors.As(err, &ec) && ec.Code == cli.ExitUsage {
		// --fail-under: only a command that succeeded is failed by coverage.
		if code == 0 {
			return cli.ExitUsage, err
		}
		return code, nil
	}
	if err != nil {
		return code, err
	}
	if o.KeepData {
		fmt.Fprintf(o.Stderr, "covrun: per-process data kept in %s\n", run.DataDir)
	}
	return code, nil
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
// data when it lies outside the project: covkit starts coverage.py before
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
