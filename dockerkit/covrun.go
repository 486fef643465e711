package dockerkit

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/covkit/covkit/internal/envlist"
	"github.com/covkit/covkit/pth"
)

// ExtendOptions configures Extend.
type ExtendOptions struct {
	// Covdocker is the static covdocker executable: the shims run it, and
	// measured containers run it as their init. "": covdocker beside the
	// running executable, else on PATH.
	Covdocker string
	// HostRoot is the host tree container paths are mapped into ("": the
	// working directory).
	HostRoot string
	Warnf    func(format string, args ...any)
}

// Extend returns a function of the shape of lifecycle.Options.Extend that
// turns Docker support on for a covrun: it writes the docker and
// docker-compose shims into the run directory and puts them first on
// PATH, starts one Engine API proxy for the whole run and points
// DOCKER_HOST (docker-py, testcontainers) and the shims at it, and returns
// RunMapper as the extra path mapping. Without a covdocker executable it
// warns and changes nothing. covrun should also call Remap on the run's
// data directory after the command and before the merge (it attributes
// each data file to its image, and drops container paths with no host
// file); RunMapper is the fallback for data Remap did not see.
//
// The proxy lives as long as the process (covrun exits after the merge).
func Extend(o ExtendOptions) func(run *pth.Run, env []string) ([]string, func(string) (string, bool), error) {
	return func(run *pth.Run, env []string) ([]string, func(string) (string, bool), error) {
		warnf := o.Warnf
		if warnf == nil {
			warnf = func(string, ...any) {}
		}
		bin := o.Covdocker
		if bin == "" {
			bin = findCovdocker(env)
		}
		if bin == "" {
			warnf("no covdocker executable: containers are not measured")
			return env, nil, nil
		}
		root := o.HostRoot
		if root == "" {
			root, _ = os.Getwd()
		}
		shims := filepath.Join(run.Root, "docker-shims")
		if err := WriteShims(shims, bin); err != nil {
			return env, nil, fmt.Errorf("docker shims: %w", err)
		}
		p, err := StartProxy(ProxyOptions{
			Socket:     filepath.Join(run.Root, "docker.sock"),
			Upstream:   envlist.Get(env, "DOCKER_HOST"),
			RunDir:     run.Root,
			UID:        os.Getuid(),
			GID:        RunGroup(run.Root),
			InitBinary: bin,
			NoInit:     envlist.Get(env, EnvNoInit) == "1",
			All:        envlist.Get(env, EnvAll) == "1",
			Logf:       warnf,
		})
		if err != nil {
			warnf("docker proxy: %v: containers are not measured", err)
			return env, nil, nil
		}
		for _, kv := range ShimEnv(shims, envlist.Get(env, "PATH")) {
			k, v, _ := strings.Cut(kv, "=")
			env = envlist.Set(env, k, v)
		}
		env = envlist.Set(env, "DOCKER_HOST", p.DockerHost())
		env = envlist.Set(env, EnvHost, p.DockerHost())
		return env, RunMapper(run.DataDir, root), nil
	}
}

func findCovdocker(env []string) string {
	if self, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(self), "covdocker")
		if isFile(p) {
			return p
		}
	}
	if p, err := exec.LookPath("covdocker"); err == nil {
		return p
	}
	return ""
}
