package main

import (
	"io"
	"os"
	"strings"

	"github.com/covkit/covkit/internal/cli"
	"github.com/covkit/covkit/lifecycle"
	"github.com/covkit/covkit/pathmap"
	"github.com/covkit/covkit/pth"
	"github.com/covkit/covkit/reporting"
	"github.com/spf13/pflag"
)

var command = cli.Command{
	Name:     "covrun",
	Synopsis: "covrun [flags] -- COMMAND [ARGS...]",
	Summary: `Run COMMAND with every Python process it starts measured (subprocesses,
multiprocessing workers, forks, execs, other virtualenvs, children with a
scrubbed environment), then merge all their data into one coverage.py data
file and report it. On CPython 3.12+ covkit's own lean engine measures at
almost no cost, with coverage.py's exact results; coverage.py measures
elsewhere and where the run needs it (branch coverage, plug-ins, ...). Hooks are installed for the run only and
removed afterwards, whatever happens. No configuration is needed; the
project's coverage.py configuration is honoured when present.`,
	Footer: `Exit status: COMMAND's own (128+N if signal N killed it); 2 if COMMAND
succeeded but the total is under --fail-under (coverage.py's status for it;
pytest-cov's --cov-fail-under fails with 1); 1 if covrun itself failed
(with COMMAND's status when that is not 0). No data to report is a warning,
not a failure.

Environment: COVKIT_APPEND=1 is --append (for a CI that sets it on every
job; --append=false overrides it). When GITHUB_STEP_SUMMARY names a file
(GitHub Actions sets it), the markdown table is appended to it, under
--title; --no-summary turns that off.`,
}

// envAppend turns --append on where a CI sets it for every job, without
// changing the command line.
const envAppend = "COVKIT_APPEND"

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := cli.NewFlagSet(command)
	var o lifecycle.Options
	fs.StringVar(&o.DataFile, "data-file", "", "write the merged data to `FILE` (default: the configured data file, .coverage)")
	fs.BoolVarP(&o.Append, "append", "a", false, "add this run's data to the data file instead of replacing it (also: "+envAppend+"=1)")
	fs.StringArrayVar(&o.Pythons, "python", nil, "hook this interpreter `PATH` (repeatable; default: python3/python on PATH and $VIRTUAL_ENV)")
	fs.BoolVar(&o.Branch, "branch", false, "measure branch coverage")
	fs.BoolVar(&o.KeepData, "keep-data", false, "keep the per-process data files")
	contexts := fs.String("contexts", "", "label data with a context per `KIND` of unit: test (the pytest test, id and phase, or the unittest test that ran each line, in whatever process it started) or process (each process's command line)")
	fs.DurationVar(&o.Checkpoint, "checkpoint", 0, "save each process's data every `INTERVAL` (e.g. 2s), so SIGKILL loses at most that")
	fs.BoolVar(&o.NoInstall, "no-install", false, "install no .pth hooks; measure only children that inherit the environment")
	fs.StringVar(&o.Collect, "collect", "", "serve a collector on `ADDR` (e.g. :7777) that measured processes on other hosts push their data to; the command gets COVKIT_COLLECT_ADDR and COVKIT_COLLECT_TOKEN")
	fs.StringVar(&o.CollectTLS, "collect-tls", "", "serve the collector over HTTPS with `CERT,KEY` (PEM files)")
	fs.DurationVar(&o.CollectWait, "collect-wait", 0, "wait at most `DURATION` for live remote processes to push their data once the command has ended (default 10s)")
	fs.BoolVar(&o.NoSummary, "no-summary", false, "do not append the markdown table to $"+lifecycle.EnvStepSummary+" (GitHub Actions' job summary), which covrun does when it is set")
	fs.BoolVar(&o.NoDocker, "no-docker", false, "do not measure Docker containers the command starts")
	engine := fs.String("engine", "auto", "measure with `ENGINE`: lean (covkit's sys.monitoring tracer, CPython 3.12+), coverage (coverage.py), or auto (lean wherever it gives coverage.py's results exactly)")
	fs.BoolVarP(&o.Verbose, "verbose", "v", false, "say what measures each interpreter, and why")
	paths := fs.StringArray("paths", nil, "remap file paths: `RESULT=PATTERN,PATTERN...`, like a [paths] entry (repeatable)")
	// The shared report flags, less those covrun defines itself: covrun's
	// --contexts labels what is measured (coverage report's filters data).
	rfs := pflag.NewFlagSet("report", pflag.ContinueOnError)
	report := reporting.AddFlags(rfs)
	fs.AddFlagSet(rfs)
	fs.SetInterspersed(false)
	if done, code := cli.Parse(command, fs, args, stdout, stderr); done {
		return code
	}
	o.Command = fs.Args()
	if !fs.Changed("append") {
		on, err := cli.EnvBool(envAppend, os.Getenv)
		if err != nil {
			return cli.Exit(command.Name, stderr, cli.UsageError("%v", err))
		}
		o.Append = on
	}
	if len(o.Command) == 0 {
		return cli.Exit(command.Name, stderr, cli.UsageError("no command given: covrun [flags] -- COMMAND [ARGS...]"))
	}
	switch k := strings.TrimSpace(*contexts); k {
	case "", pth.ContextsProcess, pth.ContextsTest:
		o.Contexts = k
	default:
		return cli.Exit(command.Name, stderr, cli.UsageError("--contexts: unknown kind %q (want test or process)", *contexts))
	}
	e, perr := lifecycle.ParseEngine(*engine)
	if perr != nil {
		return cli.Exit(command.Name, stderr, cli.UsageError("%v", perr))
	}
	o.Engine = e
	for _, p := range *paths {
		r, err := pathmap.ParseFlag(p)
		if err != nil {
			return cli.Exit(command.Name, stderr, cli.UsageError("%v", err))
		}
		o.Paths = append(o.Paths, r)
	}
	if o.CollectTLS != "" && o.Collect == "" {
		return cli.Exit(command.Name, stderr, cli.UsageError("--collect-tls needs --collect"))
	}
	o.Report = report
	o.Stdin, o.Stdout, o.Stderr = stdin, stdout, stderr
	o.Environ = os.Environ()
	code, err := lifecycle.Run(o)
	if err != nil {
		cli.Exit(command.Name, stderr, err)
		if code == 0 {
			code = cli.ExitError
		}
	}
	return code
}
