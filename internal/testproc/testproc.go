// Package testproc starts the helper processes tests need beside them: the
// test binary itself in a helper's role, or any command that signals when
// it is ready and holds on until told to stop.
package testproc

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// Self returns a command that runs the test binary again, running no test,
// with the environment entry role ("KEY=value", which its TestMain reads
// to take that role) and args.
func Self(role string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$"}, args...)...)
	cmd.Env = append(os.Environ(), role)
	return cmd
}

// Hold starts cmd, a process that prints a line when it is ready and then
// holds on until its stdin closes, and returns that line, trimmed. release
// (also run when the test ends) closes its stdin and waits for it to exit.
func Hold(t testing.TB, cmd *exec.Cmd) (line string, release func()) {
	t.Helper()
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() { once.Do(func() { stdin.Close(); cmd.Wait() }) }
	t.Cleanup(release)
	line, _ = bufio.NewReader(stdout).ReadString('\n')
	return strings.TrimSpace(line), release
}
