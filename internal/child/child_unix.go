//go:build unix

package child

import (
	"context"
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

// Unsupported says why covkit cannot run commands here: nil, it can.
var Unsupported error

// forwarded are the signals relayed to the command instead of ending covkit:
// cleanup must still run after the command ends.
var forwarded = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT}

// Run runs c, forwards SIGINT/SIGTERM/SIGHUP/SIGQUIT to it (to its whole
// group unless c.SameGroup), and returns its exit status: its exit code, or
// 128+N when signal N killed it. An error means it could not be started.
func Run(c Command) (int, error) {
	cmd := command(c)
	tty := -1
	if !c.SameGroup {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		tty = takeTerminal(cmd, c.Stdin)
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
	target := -cmd.Process.Pid // the group it leads
	if c.SameGroup {
		target = cmd.Process.Pid
	}
	werr := waitForwarding(cmd, target, sigs, c.Context)
	if tty >= 0 {
		_ = unix.IoctlSetPointerInt(tty, unix.TIOCSPGRP, unix.Getpgrp())
	}
	code, err := cli.ExitStatus(cmd.ProcessState, werr)
	if !c.SameGroup {
		// Children of the command may still be writing their coverage data
		// (a grandchild handling the same SIGTERM, a pool shutting down):
		// give the rest of the group a moment before anything is merged.
		waitGroupGone(-target, sigs, c.GroupGrace)
	}
	return code, err
}

// command is c as an exec.Cmd. The command is looked up on the PATH the run
// gives it (which may put covkit's shims first), not on covkit's own.
func command(c Command) *exec.Cmd {
	name := c.Args[0]
	if p, err := envlist.LookPath(c.Env, name, ""); err == nil {
		name = p
	}
	cmd := exec.Command(name, c.Args[1:]...)
	cmd.Args[0] = c.Args[0]
	cmd.Env, cmd.Dir = c.Env, c.Dir
	cmd.Stdin, cmd.Stdout, cmd.Stderr = c.Stdin, c.Stdout, c.Stderr
	return cmd
}

// takeTerminal makes the command's group the terminal's foreground one when
// stdin is a terminal, or it would stop on its first read of it; then the
// terminal sends ^C to it directly, and Run takes the foreground back after.
// It returns the terminal's descriptor, or -1.
func takeTerminal(cmd *exec.Cmd, stdin any) int {
	f, ok := stdin.(*os.File)
	if !ok || !cli.IsTerminal(f) {
		return -1
	}
	cmd.SysProcAttr.Foreground = true
	cmd.SysProcAttr.Ctty = int(f.Fd())
	return int(f.Fd())
}

// waitForwarding waits for cmd, sending target (a pid, or a negated group id)
// each signal covkit gets, and SIGTERM when ctx is done.
func waitForwarding(cmd *exec.Cmd, target int, sigs <-chan os.Signal, ctx context.Context) error {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var stop <-chan struct{}
	if ctx != nil {
		stop = ctx.Done()
	}
	for {
		select {
		case s := <-sigs:
			_ = syscall.Kill(target, s.(syscall.Signal))
		case <-stop:
			_ = syscall.Kill(target, syscall.SIGTERM)
			stop = nil
		case err := <-done:
			return err
		}
	}
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
