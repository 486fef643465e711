package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/covkit/covkit/internal/child"
	"github.com/covkit/covkit/internal/cli"
	"github.com/covkit/covkit/lifecycle"
	"github.com/covkit/covkit/pth"
	"github.com/spf13/pflag"
)

var command = cli.Command{
	Name:     "covhook",
	Synopsis: "covhook install|remove|status|run [flags]",
	Summary: `Manage covkit's start-up hook: a .pth file in site-packages that lets a covkit
run measure every Python process it starts, with no change to tests or config.

  install   install the hook for each target interpreter (persistent; inert
            unless a covkit run is active)
  remove    take every covkit hook out (--all: every directory covkit knows)
  status    list where hooks are and whether each is live
  run       run a command as a covkit run, leaving data files in --data-dir

Target interpreters default to python3 and python on PATH and $VIRTUAL_ENV's;
name others with repeated --python. Run 'covhook SUBCOMMAND -h' for flags.`,
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fs := cli.NewFlagSet(command)
		if done, code := cli.Parse(command, fs, args, stdout, stderr); done {
			return code
		}
		return cli.Exit(command.Name, stderr, cli.UsageError("missing subcommand (install, remove, status or run)"))
	}
	sub, args := args[0], args[1:]
	c := cli.Command{Name: command.Name}
	fs := func() *pflag.FlagSet { return cli.NewFlagSet(c) }
	switch sub {
	case "install":
		c.Synopsis = "covhook install [--python PATH]... [--remote]"
		c.Summary = "Install covkit's hook for each target interpreter (atomic, idempotent)."
		f := fs()
		pythons := f.StringArray("python", nil, "target interpreter (repeatable; default: python3/python on PATH and $VIRTUAL_ENV)")
		remote := f.Bool("remote", false, "also install the remote client: processes that see COVKIT_COLLECT push their data to that run's collector (covrun --collect), as in covdocker images")
		if done, code := cli.Parse(c, f, args, stdout, stderr); done {
			return code
		}
		return cli.Exit(c.Name, stderr, install(targets(*pythons), *remote, stdout, stderr))
	case "remove":
		c.Synopsis = "covhook remove [--python PATH]... [--all]"
		c.Summary = "Remove every covkit hook from the target interpreters' site-packages."
		f := fs()
		pythons := f.StringArray("python", nil, "target interpreter (repeatable)")
		all := f.Bool("all", false, "also every directory covkit has installed into")
		force := f.Bool("force", false, "remove hooks even while live runs use them")
		if done, code := cli.Parse(c, f, args, stdout, stderr); done {
			return code
		}
		return cli.Exit(c.Name, stderr, remove(targets(*pythons), *all, *force, stdout, stderr))
	case "status":
		c.Synopsis = "covhook status [--python PATH]..."
		c.Summary = "List covkit hooks and whether each is live; tidies what killed runs left."
		f := fs()
		pythons := f.StringArray("python", nil, "target interpreter (repeatable)")
		if done, code := cli.Parse(c, f, args, stdout, stderr); done {
			return code
		}
		return cli.Exit(c.Name, stderr, status(targets(*pythons), stdout, stderr))
	case "run":
		c.Synopsis = "covhook run [flags] -- COMMAND [ARG...]"
		c.Summary = "Run COMMAND as a covkit run: every Python process it starts is measured into --data-dir."
		f := fs()
		pythons := f.StringArray("python", nil, "target interpreter (repeatable)")
		o := pth.RunOptions{Warnf: func(format string, a ...any) { cli.Warnf(stderr, format, a...) }}
		f.StringVar(&o.DataDir, "data-dir", "", "directory for the data files (default: a new one, printed at the end)")
		f.StringVar(&o.ProjectDir, "project", "", "directory whose coverage configuration applies (default: current)")
		f.StringVar(&o.RCFile, "rcfile", "", "coverage configuration file")
		f.BoolVar(&o.Branch, "branch", false, "measure branches")
		contexts := f.String("contexts", "", `"test": label what runs with the pytest or unittest test that ran it; "process": with each process's command line`)
		f.DurationVar(&o.Checkpoint, "checkpoint", 0, "save each process's data at this interval (0: only at exit)")
		f.BoolVar(&o.NoInstall, "no-install", false, "install no hook: inherited environment only")
		engine := f.String("engine", "auto", "measure with `ENGINE`: lean, coverage or auto (as covrun)")
		if done, code := cli.Parse(c, f, args, stdout, stderr); done {
			return code
		}
		e, err := lifecycle.ParseEngine(*engine)
		if err != nil {
			return cli.Exit(c.Name, stderr, cli.UsageError("%v", err))
		}
		o.Engine = pth.EngineCoverage
		if setup, err := lifecycle.NewSetup(o.ProjectDir, o.RCFile, os.Getenv, e, o.Branch); err != nil {
			if e == pth.EngineLean {
				return cli.Exit(c.Name, stderr, err)
			}
			// A configuration coverage.py cannot read is reported by each
			// measured process, in the run's log; the command still runs.
			cli.Warnf(stderr, "%v: measuring with coverage.py", err)
		} else {
			o.Engine, o.Lean = setup.Engine, setup.Lean
		}
		switch *contexts {
		case "", pth.ContextsProcess, pth.ContextsTest:
			o.Contexts = *contexts
		default:
			return cli.Exit(c.Name, stderr, cli.UsageError("--contexts: unknown value %q (want test or process)", *contexts))
		}
		if f.NArg() == 0 {
			return cli.Exit(c.Name, stderr, cli.UsageError("run: missing command"))
		}
		o.Pythons = targets(*pythons)
		return runCommand(o, f.Args(), stdin, stdout, stderr)
	}
	return cli.Exit(command.Name, stderr, cli.UsageError("unknown subcommand %q", sub))
}

func targets(p []string) []string {
	if len(p) == 0 {
		return pth.DefaultPythons(os.Environ())
	}
	return p
}

func install(pythons []string, remote bool, stdout, stderr io.Writer) error {
	var errs []error
	for _, py := range pythons {
		h, info, err := pth.Install(py, pth.ModePersistent, nil)
		if err != nil {
			if info != nil && !info.Writable {
				err = fmt.Errorf("%s is not writable: no hook installed (covkit runs still reach %s through the inherited environment)", info.HookDir, py)
			}
			errs = append(errs, fmt.Errorf("%s: %w", py, err))
			continue
		}
		if !info.HasCoverage {
			cli.Warnf(stderr, "%s cannot import coverage.py: the hook stays inert for it unless a run lends one", py)
		}
		fmt.Fprintf(stdout, "installed %s (%s, Python %s)\n", h.Path, h.Mode, info.Version)
		if remote {
			if err := pth.InstallRemote(h.Dir); err != nil {
				errs = append(errs, fmt.Errorf("%s: remote client: %w", py, err))
				continue
			}
			fmt.Fprintf(stdout, "installed %s\n", filepath.Join(h.Dir, pth.RemoteHookFile))
		}
	}
	return errors.Join(errs...)
}

func remove(pythons []string, all, force bool, stdout, stderr io.Writer) error {
	var errs []error
	seen := map[string]bool{}
	report := func(hs []*pth.Hook) {
		for _, h := range hs {
			if seen[h.Dir] {
				continue
			}
			seen[h.Dir] = true
			for _, p := range h.Removed {
				fmt.Fprintf(stdout, "removed %s\n", p)
			}
			if h.Installed && len(h.Runs) > 0 {
				cli.Warnf(stderr, "%s is in use by %d live run(s): it goes when they end (--force removes it now)", h.Path, len(h.Runs))
			}
		}
	}
	for _, py := range pythons {
		hs, err := pth.Remove(py, force, nil)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", py, err))
		}
		report(hs)
	}
	if all {
		for _, d := range pth.KnownDirs() {
			if seen[d] {
				continue
			}
			h, err := pth.RemoveDir(d, force)
			if err != nil {
				errs = append(errs, err)
			}
			if h != nil {
				report([]*pth.Hook{h})
			}
		}
	}
	return errors.Join(errs...)
}

func status(pythons []string, stdout, stderr io.Writer) error {
	var errs []error
	seen := map[string]bool{}
	show := func(h *pth.Hook, who string) {
		if seen[h.Dir] {
			return
		}
		seen[h.Dir] = true
		for _, p := range h.Removed {
			fmt.Fprintf(stdout, "removed stale %s\n", p)
		}
		if !h.Installed {
			return
		}
		state := "inert"
		if h.Live() {
			ids := make([]string, len(h.Runs))
			for i, r := range h.Runs {
				ids[i] = fmt.Sprintf("%s (pid %d)", r.ID, r.Owner)
			}
			state = "live: " + strings.Join(ids, ", ")
		}
		ver := ""
		if !h.Current {
			ver = " outdated"
		}
		fmt.Fprintf(stdout, "%s\t%s%s\t%s\t%s\n", h.Path, h.Mode, ver, state, who)
	}
	for _, py := range pythons {
		hs, info, err := pth.Status(py, nil)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", py, err))
			continue
		}
		for _, h := range hs {
			show(h, py+" "+info.Version)
		}
	}
	for _, d := range pth.KnownDirs() {
		if h, err := pth.StatusDir(d); err == nil {
			show(h, "")
		}
	}
	return errors.Join(errs...)
}

func runCommand(o pth.RunOptions, argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	r, err := pth.StartRun(o)
	if err != nil {
		return cli.Exit(command.Name, stderr, err)
	}
	defer r.Close()
	if err := lifecycle.CheckLeanInterpreters(o.Engine, r.Interpreters); err != nil {
		return cli.Exit(command.Name, stderr, err)
	}
	// As covrun runs its command: a process group of its own, with the
	// signals covhook gets forwarded to all of it.
	code, werr := child.Run(child.Command{
		Args: argv, Env: r.Environ(os.Environ()),
		Stdin: stdin, Stdout: stdout, Stderr: stderr,
	})
	if err := r.Close(); err != nil {
		cli.Warnf(stderr, "closing run: %v", err)
	}
	if werr != nil {
		return cli.Exit(command.Name, stderr, werr)
	}
	if o.DataDir == "" {
		fmt.Fprintf(stderr, "covhook: data in %s\n", r.DataDir)
	}
	return code
}
