//go:build linux

package dockerkit

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary act as `covdocker init` in a child.
func TestMain(m *testing.M) {
	if os.Getenv("DOCKERKIT_TEST_INIT") == "1" {
		os.Exit(Init(os.Args[1:], os.Stderr))
	}
	os.Exit(m.Run())
}

func startInit(t *testing.T, script string, env ...string) *exec.Cmd {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	c := exec.Command(self, "/bin/sh", "-c", script)
	c.Env = append(os.Environ(), append(env, "DOCKERKIT_TEST_INIT=1")...)
	c.Stderr = os.Stderr
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Process.Kill() })
	return c
}

func waitFile(t *testing.T, p string) {
	t.Helper()
	for i := 0; i < 600; i++ {
		if _, err := os.Stat(p); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never appeared", p)
}

func exitCode(t *testing.T, c *exec.Cmd) int {
	t.Helper()
	err := c.Wait()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

// A shell that does not forward SIGTERM runs a worker that saves on
// SIGTERM (as Python under covkit does): the stop must reach the worker
// and init must wait for it.
func TestInitBroadcastsStop(t *testing.T) {
	d := t.TempDir()
	ready, saved := filepath.Join(d, "ready"), filepath.Join(d, "saved")
	worker := `trap "sleep 0.3; echo saved > ` + saved + `; exit 0" TERM; echo > ` + ready + `; while :; do sleep 0.05; done`
	c := startInit(t, "sh -c '"+worker+"'; echo done")
	waitFile(t, ready)
	c.Process.Signal(syscall.SIGTERM)
	if code := exitCode(t, c); code != 128+int(syscall.SIGTERM) {
		t.Errorf("exit %d, want %d (the shell died by SIGTERM)", code, 128+int(syscall.SIGTERM))
	}
	if b, err := os.ReadFile(saved); err != nil || strings.TrimSpace(string(b)) != "saved" {
		t.Errorf("the worker did not save before init exited: %v", err)
	}
}

// When the main process ends, what it left behind gets SIGTERM and time to
// save; init exits with the main process's status.
func TestInitEndsLeftovers(t *testing.T) {
	d := t.TempDir()
	ready, saved := filepath.Join(d, "ready"), filepath.Join(d, "saved")
	c := startInit(t, `(trap "sleep 0.3; echo saved > `+saved+`; exit 0" TERM; echo > `+ready+`; while :; do sleep 0.05; done) & `+
		`while [ ! -e `+ready+` ]; do sleep 0.05; done; exit 3`, EnvInitGrace+"=20s")
	if code := exitCode(t, c); code != 3 {
		t.Errorf("exit %d, want 3", code)
	}
	if _, err := os.Stat(saved); err != nil {
		t.Errorf("the leftover process did not save: %v", err)
	}
}
