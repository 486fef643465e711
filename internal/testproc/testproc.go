// Package testproc runs the helper processes tests need beside them: the
// test binary itself in a helper's role, or any command that signals when
// it is ready and holds on until told to stop.
package testproc

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// Main is the TestMain of a test binary that doubles as helper processes:
// when the environment variable key names one of roles, the binary plays
// that role on its last argument and exits, printing the role's error and
// with status 1 if it fails; otherwise it runs the tests.
func Main(m *testing.M, key string, roles map[string]func(arg string) error) {
	if role, ok := roles[os.Getenv(key)]; ok {
		if err := role(os.Args[len(os.Args)-1]); err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// Self returns a command that runs the test binary again in the role that
// the environment variable key names for Main, on arg, running no test.
func Self(key, role, arg string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$", arg)
	cmd.Env = append(os.Environ(), key+"="+role)
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
