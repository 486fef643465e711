package dockerkit

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/covkit/covkit/internal/child"
	"github.com/covkit/covkit/internal/envlist"
	"github.com/covkit/covkit/pth"
)

// Environment variables the shim reads besides pth.EnvRun (COVKIT_RUN,
// which makes it active). None is needed: covrun only puts the shim
// directory first on PATH (ShimEnv).
const (
	// EnvHost names an already running proxy (its DOCKER_HOST value); the
	// shim then only points the real client at it.
	EnvHost = "COVKIT_DOCKER_HOST"
	// EnvShimDir is the shim directory, skipped when looking for the real
	// client on PATH.
	EnvShimDir = "COVKIT_DOCKER_SHIMDIR"
	// EnvNoInit=1 sets ProxyOptions.NoInit.
	EnvNoInit = "COVKIT_DOCKER_NOINIT"
	// EnvAll=1 sets ProxyOptions.All.
	EnvAll = "COVKIT_DOCKER_ALL"
)

// ShimNames are the commands the shim directory shadows.
var ShimNames = []string{"docker", "docker-compose"}

// WriteShims writes into dir one small script per ShimNames entry that runs
// `covdocker shim NAME ARGS...` with the covdocker executable given.
func WriteShims(dir, covdocker string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, n := range ShimNames {
		s := fmt.Sprintf("#!/bin/sh\nexec %s shim %s \"$@\"\n", shellQuote(covdocker), n)
		if err := os.WriteFile(filepath.Join(dir, n), []byte(s), 0o755); err != nil {
			return err
		}
	}
	return nil
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// ShimEnv returns the variables covrun adds to the environment of the
// command it runs (already activated with pth's Run.Environ) so that
// containers started through `docker` and `docker-compose` are measured:
// PATH with shimDir first, and EnvShimDir. pathEnv is the current PATH.
func ShimEnv(shimDir, pathEnv string) []string {
	return []string{
		"PATH=" + shimDir + string(os.PathListSeparator) + pathEnv,
		EnvShimDir + "=" + shimDir,
	}
}

// ActiveRun returns the covkit run directory active in environ, or "".
func ActiveRun(environ []string) string {
	r := envlist.Get(environ, pth.EnvRun)
	if r == "" || r == "-" {
		return ""
	}
	if _, err := os.Stat(filepath.Join(r, "run.cfg")); err != nil {
		return ""
	}
	return r
}

// Shim runs the real name (docker or docker-compose) with args. While a
// covkit run is active (COVKIT_RUN names a run, or EnvHost a proxy) the real client talks to
// the engine through a Proxy, so every container it creates from a
// covdocker image is measured; otherwise it just runs the real client.
// It returns the client's exit status.
func Shim(ctx context.Context, name string, args, environ []string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	real, err := envlist.LookPath(environ, name, envlist.Get(environ, EnvShimDir))
	if err != nil {
		return 127, err
	}
	env := environ
	var p *Proxy
	if h := envlist.Get(environ, EnvHost); h != "" {
		env = envlist.Set(env, "DOCKER_HOST", h)
		env = envlist.Set(env, pth.EnvRun, "-")
	} else if run := ActiveRun(environ); run != "" {
		tmp, err := os.MkdirTemp("", "covdocker-")
		if err != nil {
			return 1, err
		}
		defer os.RemoveAll(tmp)
		p, err = StartProxy(ProxyOptions{
			Socket:   filepath.Join(tmp, "docker.sock"),
			Upstream: envlist.Get(environ, "DOCKER_HOST"),
			RunDir:   run,
			UID:      os.Getuid(),
			GID:      RunGroup(run),
			NoInit:   envlist.Get(environ, EnvNoInit) == "1",
			All:      envlist.Get(environ, EnvAll) == "1",
			Context:  envlist.Get(environ, pth.EnvContext),
			Logf:     func(f string, a ...any) { fmt.Fprintf(stderr, "covdocker: "+f+"\n", a...) },
		})
		if err != nil {
			return 1, err
		}
		defer p.Close()
		env = envlist.Set(env, "DOCKER_HOST", p.DockerHost())
	}
	// The client itself (docker-compose is Python) is covkit's tool, not
	// the project's code.
	if p != nil {
		env = envlist.Set(env, pth.EnvRun, "-")
	}
	// The client stays in our process group: terminal signals reach it by
	// themselves; the ones sent to us alone are forwarded.
	return child.Run(child.Command{
		Args: append([]string{real}, args...), Env: env,
		Stdin: stdin, Stdout: stdout, Stderr: stderr,
		SameGroup: true, Context: ctx,
	})
}

// ContainerInit is where the proxy mounts the static covdocker binary that
// runs as a measured container's PID 1 (covdocker init).
const ContainerInit = "/.covkit-init"
