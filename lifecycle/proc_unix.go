//go:build unix

package lifecycle

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/covkit/covkit/internal/cli"
	"github.com/covkit/covkit/internal/envlist"
)

// unsupported says why covrun cannot run here: nil, it can.
var unsupported error

// forwarded are the signals covrun relays to the command's process group
// instead of dying: cleanup must still run after the command ends.
var forwarded = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT}

// Exec runs c in its own process group, forwards SIGINT/SIGTERM/SIGHUP/SIGQUIT
// to the whole group, and returns the command's exit status: its exit code,
// or 128+N when signal N killed it. An error means it could not be started.
func Exec(c Command) (int, error) {
	// The command is looked up on the PATH the run gives it (which may put
	// covkit's shims first), not on covrun's own.
	name := c.Args[0]
	if p, err := envlist.LookPath(c.Env, name, ""); err == nil {
		name = p
	}
	cmd := exec.Command(name, c.Args[1:]...)
	cmd.Args[0] = c.Args[0]
	cmd.Env, cmd.Dir = c.Env, c.Dir
	cmd.Stdin, cmd.Stdout, cmd.Stderr = c.Stdin, c.Stdout, c.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}

	// On a terminal the command's group must be the foreground one, or it
	// would stop on its first read of the terminal; then the terminal sends
	// ^C to it directly, and covrun takes the foreground back afterwards.
	tty := -1
	if f, ok := c.Stdin.(*os.File); ok {
		if cli.IsTerminal(f) {
			tty = int(f.Fd())
			cmd.SysProcAttr.Foreground = true
			cmd.SysProcAttr.Ctty = tty
		}
	}

	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, forwarded...)
	defer signal.Stop(sigs)
	if tty >= 0 {
		signal.Ignore(syscall.SIGTTOU)
		defer signal.Reset(syscall.SIGTTOU)
	}

	if err := cmd.Start(); err != nil {
		return 127, fmt.Errorf("start %s: %w", c.Args[0], err)
	}
	pgid := cmd.Process.Pid
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	var werr error
wait:
	for {
		select {
		case s := <-sigs:
			_ = syscall.Kill(-pgid, s.(syscall.Signal))
		case werr = <-done:
			break wait
		}
	}
	if tty >= 0 {
		_ = unix.IoctlSetPointerInt(tty, unix.TIOCSPGRP, unix.Getpgrp())
	}
	code, err := cli.ExitStatus(cmd.ProcessState, werr)
	// Children of the command may still be writing their coverage data
	// (a grandchild handling the same SIGTERM, a pool shutting down): give
	// the rest of the group a moment to finish before anything is merged.
	waitGroupGone(pgid, sigs, c.GroupGrace)
	return code, err
}

// waitGroupGone polls until no process is left in process group pgid, or
// grace has passed, still forwarding signals meanwhile.
func waitGroupGone(pgid int, sigs <-chan os.Signal, grace time.Duration) {
	if grace <= 0 {
		grace = DefaultGroupGrace
	}
	deadline := time.Now().Add(grace)
	for time.Now().Before(deadline) {
		if err := syscall.Kill(-pgid, 0); err == syscall.ESRCH {
			return
		}
		select {
		case s := <-sigs:
			_ = syscall.Kill(-pgid, s.(syscall.Signal))
		case <-time.After(10 * time.Millisecond):
		}
	}
}
