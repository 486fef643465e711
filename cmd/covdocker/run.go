package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/covkit/covkit/covconfig"
	"github.com/covkit/covkit/dockerkit"
	"github.com/covkit/covkit/internal/cli"
	"github.com/covkit/covkit/lifecycle"
	"github.com/covkit/covkit/pathmap"
	"github.com/covkit/covkit/pth"
)

var command = cli.Command{
	Name:     "covdocker",
	Synopsis: "covdocker COMMAND [ARGS...]",
	Summary: `Measures Python inside Docker containers and maps the data back to host paths.

Commands:
  build [flags] [docker build args...]  build the image, then covkit's thin layer on top
  run [--data DIR] [docker run args...] run a container with covkit's hook turned on
  shim NAME [ARGS...]                   run the real docker/docker-compose through covkit's proxy
  shims DIR                             write docker and docker-compose shims into DIR
  proxy --socket PATH [--run DIR]       serve a Docker API proxy that measures containers
  remap --data DIR [--root DIR]         rewrite container data files to host paths
  probe                                 (inside an image) list its Python interpreters as JSON
  init -- COMMAND [ARGS...]             (inside a container) PID 1 that lets Python save on docker stop

Under covrun nothing is needed: covrun puts the shims first on PATH and DOCKER_HOST at its
proxy. covdocker must be a static binary (CGO_ENABLED=0): probe and init run inside images.`,
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fs := cli.NewFlagSet(command)
		if done, code := cli.Parse(command, fs, args, stdout, stderr); done {
			return code
		}
		return cli.Exit(command.Name, stderr, cli.UsageError("missing command (build, run, shim, shims, proxy, remap, probe)"))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch args[0] {
	case "build":
		return runBuild(ctx, args[1:], stdout, stderr)
	case "run":
		return runRun(ctx, args[1:], stdin, stdout, stderr)
	case "shim":
		if len(args) < 2 {
			return cli.Exit(command.Name, stderr, cli.UsageError("shim needs the command name"))
		}
		stop() // the shim forwards signals itself
		code, err := dockerkit.Shim(context.Background(), args[1], args[2:], os.Environ(), stdin, stdout, stderr)
		if err != nil {
			cli.Exit(command.Name, stderr, err)
		}
		return code
	case "shims":
		return runShims(args[1:], stdout, stderr)
	case "proxy":
		return runProxy(ctx, args[1:], stdout, stderr)
	case "remap":
		return runRemap(args[1:], stdout, stderr)
	case "init":
		a := args[1:]
		if len(a) > 0 && a[0] == "--" {
			a = a[1:]
		}
		return dockerkit.Init(a, stderr)
	case "probe":
		b, _ := json.Marshal(dockerkit.ProbeInterpreters(ctx, os.Getenv("PATH")))
		fmt.Fprintf(stdout, "%s\n", b)
		return 0
	}
	return cli.Exit(command.Name, stderr, cli.UsageError("unknown command %q", args[0]))
}

var buildCommand = cli.Command{
	Name:     "covdocker build",
	Synopsis: "covdocker build [--map CONTAINER=HOST]... [--coverage-wheel F | --coverage-dir D | --coverage-deb F | --coverage-pip VERSION] [docker build args...] CONTEXT",
	Summary: `Runs docker build with the given arguments, then adds a thin layer that makes coverage.py
available to every Python of the image (when it is not already), installs covkit's hook (inert
unless a covkit run is active) and records in labels how container paths map to build-context
paths (from the Dockerfile's WORKDIR/COPY/ADD; --map adds or overrides). The user's tags go to
the final image.`,
}

// ourBuildFlags are covdocker build's own flags; every other argument is
// docker build's.
var ourBuildFlags = map[string]bool{"--map": true, "--coverage-wheel": true, "--coverage-dir": true, "--coverage-deb": true, "--coverage-pip": true}

func runBuild(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o := dockerkit.BuildOptions{Stdout: stderr, Stderr: stderr, Verify: true}
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "-h" || a == "--help" {
			fs := cli.NewFlagSet(buildCommand)
			fs.StringArray("map", nil, "CONTAINER=HOST path mapping recorded in the image (repeatable)")
			fs.String("coverage-wheel", "", "install coverage.py from this wheel where the image lacks it")
			fs.String("coverage-dir", "", "copy coverage.py from this package (or site) directory")
			fs.String("coverage-deb", "", "unpack coverage.py's Python files from this .deb")
			fs.String("coverage-pip", "", "pip install coverage==VERSION in the image (needs network)")
			fs.Bool("no-verify", false, "do not check that every interpreter imports coverage afterwards")
			cli.Usage(stdout, buildCommand, fs)
			return 0
		}
		if a == "--no-verify" {
			o.Verify = false
			continue
		}
		name, val, has := strings.Cut(a, "=")
		if !ourBuildFlags[name] {
			rest = append(rest, a)
			continue
		}
		if !has {
			if i+1 >= len(args) {
				return cli.Exit(buildCommand.Name, stderr, cli.UsageError("flag %s needs a value", name))
			}
			i++
			val = args[i]
		}
		switch name {
		case "--map":
			c, h, ok := strings.Cut(val, "=")
			if !ok || !strings.HasPrefix(c, "/") || h == "" {
				return cli.Exit(buildCommand.Name, stderr, cli.UsageError("--map %q: want /CONTAINER/PATH=HOST/PATH", val))
			}
			o.Maps = append(o.Maps, dockerkit.PathMapping{Container: c, Host: h})
		case "--coverage-wheel":
			o.CoverageWheel = val
		case "--coverage-dir":
			o.CoverageDir = val
		case "--coverage-deb":
			o.CoverageDeb = val
		case "--coverage-pip":
			o.CoveragePip = val
		}
	}
	o.Args = rest
	res, err := dockerkit.Build(ctx, o)
	if errors.Is(err, dockerkit.ErrArgs) {
		err = cli.UsageError("%v", err)
	}
	if err != nil {
		return cli.Exit("covdocker", stderr, err)
	}
	for _, w := range res.Warnings {
		cli.Warnf(stderr, "%s", w)
	}
	for _, py := range res.Info.Pythons {
		fmt.Fprintf(stderr, "covdocker: hooked %s (Python %s, coverage %s) in %s\n", py.Path, py.Version, orNone(py.Coverage), py.Site)
	}
	fmt.Fprintf(stderr, "covdocker: covkit layer in %.1fs (probe %.1fs, verify %.1fs), +%d bytes\n", res.LayerTime.Seconds(), res.ProbeTime.Seconds(), res.VerifyTime.Seconds(), res.AddedBytes)
	fmt.Fprintln(stdout, res.ImageID)
	return 0
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

var runCommand = cli.Command{
	Name:     "covdocker run",
	Synopsis: "covdocker run [--data DIR] [docker run args...]",
	Summary: `Runs docker run with covkit's hook turned on in the container. Under covrun (COVKIT_RUN set)
the data goes to the run; otherwise covdocker starts a run of its own writing into DIR
(default .covkit-docker), for covdocker remap --data DIR.`,
}

func runRun(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	data := ".covkit-docker"
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		cli.Usage(stdout, runCommand, cli.NewFlagSet(runCommand))
		return 0
	}
	if len(args) > 0 && (args[0] == "--data" || strings.HasPrefix(args[0], "--data=")) {
		if v, ok := strings.CutPrefix(args[0], "--data="); ok {
			data, args = v, args[1:]
		} else if len(args) > 1 {
			data, args = args[1], args[2:]
		} else {
			return cli.Exit(runCommand.Name, stderr, cli.UsageError("--data needs a value"))
		}
	}
	env := os.Environ()
	if dockerkit.ActiveRun(env) == "" && os.Getenv(dockerkit.EnvHost) == "" {
		r, err := startOwnRun(data, stderr)
		if err != nil {
			return cli.Exit("covdocker", stderr, err)
		}
		defer r.Close()
		env = r.Environ(env)
	}
	code, err := dockerkit.Shim(ctx, "docker", append([]string{"run"}, args...), env, stdin, stdout, stderr)
	if err != nil {
		cli.Exit("covdocker", stderr, err)
	}
	return code
}

// startOwnRun starts a covkit run for containers only: no host hooks, no
// owner check (containers cannot see host pids).
func startOwnRun(data string, stderr io.Writer) (*pth.Run, error) {
	d, err := filepath.Abs(data)
	if err != nil {
		return nil, err
	}
	o := pth.RunOptions{Pythons: []string{}, NoInstall: true, Detached: true, DataDir: d,
		Engine: pth.EngineCoverage, Warnf: func(f string, a ...any) { cli.Warnf(stderr, f, a...) }}
	// The engine as covrun would choose it for the project here: lean in
	// containers whose Python can run it, unless the configuration needs
	// coverage.py.
	if setup, err := lifecycle.NewSetup("", "", os.Getenv, pth.EngineAuto, false); err == nil {
		o.Engine, o.Lean = setup.Engine, setup.Lean
	}
	return pth.StartRun(o)
}

func runShims(args []string, stdout, stderr io.Writer) int {
	c := cli.Command{Name: "covdocker shims", Synopsis: "covdocker shims DIR", Summary: "Writes docker and docker-compose shims (scripts running `covdocker shim`) into DIR; put DIR first on PATH."}
	fs := cli.NewFlagSet(c)
	if done, code := cli.Parse(c, fs, args, stdout, stderr); done {
		return code
	}
	if fs.NArg() != 1 {
		return cli.Exit(c.Name, stderr, cli.UsageError("want one directory"))
	}
	self, err := os.Executable()
	if err != nil {
		return cli.Exit(c.Name, stderr, err)
	}
	return cli.Exit(c.Name, stderr, dockerkit.WriteShims(fs.Arg(0), self))
}

func runProxy(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := cli.Command{Name: "covdocker proxy", Synopsis: "covdocker proxy --socket PATH [--run DIR | --data DIR]",
		Summary: "Serves a Docker Engine API proxy on PATH until interrupted: containers created through it from covdocker images are measured into the covkit run DIR (default $COVKIT_RUN), or into a run of its own writing into --data. Point DOCKER_HOST (docker-py, testcontainers, compose) at unix://PATH."}
	fs := cli.NewFlagSet(c)
	sock := fs.String("socket", "", "unix socket to listen on")
	runDir := fs.String("run", os.Getenv(pth.EnvRun), "covkit run directory")
	data := fs.String("data", "", "data directory for a run of the proxy's own")
	upstream := fs.String("upstream", "", "real engine (default $DOCKER_HOST or unix:///var/run/docker.sock)")
	noInit := fs.Bool("no-init", false, "do not inject Docker's init into measured containers")
	all := fs.Bool("all", false, "also measure containers of images covdocker did not build (through PYTHONPATH)")
	if done, code := cli.Parse(c, fs, args, stdout, stderr); done {
		return code
	}
	if *sock == "" {
		return cli.Exit(c.Name, stderr, cli.UsageError("--socket is required"))
	}
	if *data != "" || *runDir == "" || *runDir == "-" {
		if *data == "" {
			return cli.Exit(c.Name, stderr, cli.UsageError("no covkit run is active: give --run or --data"))
		}
		r, err := startOwnRun(*data, stderr)
		if err != nil {
			return cli.Exit(c.Name, stderr, err)
		}
		defer r.Close()
		*runDir = r.Root
	}
	p, err := dockerkit.StartProxy(dockerkit.ProxyOptions{Socket: *sock, Upstream: *upstream, RunDir: *runDir,
		UID: os.Getuid(), GID: os.Getgid(), NoInit: *noInit, All: *all,
		Logf: func(f string, a ...any) { cli.Warnf(stderr, f, a...) }})
	if err != nil {
		return cli.Exit(c.Name, stderr, err)
	}
	fmt.Fprintf(stdout, "DOCKER_HOST=%s\n", p.DockerHost())
	<-ctx.Done()
	p.Close()
	return 0
}

func runRemap(args []string, stdout, stderr io.Writer) int {
	c := cli.Command{Name: "covdocker remap", Synopsis: "covdocker remap --data DIR [--root DIR] [--rcfile FILE] [--paths RESULT=PATTERN,...]...",
		Summary: `Rewrites, in place, the data files containers wrote into the run data directory DIR to host
paths: the [paths] of the project's coverage.py configuration (found in --root, or --rcfile)
and --paths first, then the labels of the image each file came from, then suffix matching
under --root. Container paths with no host file are dropped.`}
	fs := cli.NewFlagSet(c)
	data := fs.String("data", "", "the run's data directory")
	root := fs.String("root", ".", "host tree container paths map into (and where the configuration is looked for)")
	rcfile := fs.String("rcfile", "", "coverage.py configuration file")
	paths := fs.StringArray("paths", nil, "remap file paths: `RESULT=PATTERN,PATTERN...`, like a [paths] entry (repeatable)")
	if done, code := cli.Parse(c, fs, args, stdout, stderr); done {
		return code
	}
	if *data == "" {
		return cli.Exit(c.Name, stderr, cli.UsageError("--data is required"))
	}
	r, _ := filepath.Abs(*root)
	cfg, err := covconfig.Load(covconfig.LoadOptions{Dir: r, RCFile: *rcfile, Getenv: os.Getenv})
	if err != nil {
		return cli.Exit(c.Name, stderr, err)
	}
	rules := cfg.PathRules()
	for _, p := range *paths {
		rule, err := pathmap.ParseFlag(p)
		if err != nil {
			return cli.Exit(c.Name, stderr, cli.UsageError("%v", err))
		}
		rules = append(rules, rule)
	}
	var user func(string) (string, bool)
	if len(rules) > 0 {
		m, err := pathmap.Compile(rules, pathmap.Options{Dir: r})
		if err != nil {
			return cli.Exit(c.Name, stderr, err)
		}
		user = m.Map
	}
	res, err := dockerkit.Remap(*data, r, user)
	if err != nil {
		return cli.Exit(c.Name, stderr, err)
	}
	for _, f := range res.Files {
		fmt.Fprintln(stdout, f)
	}
	for _, d := range res.Dropped {
		cli.Warnf(stderr, "no host file for %s: dropped", d)
	}
	return 0
}
