//go:build unix

package outfile

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// The test binary doubles as a writer: OUTFILE_HELPER=hold PATH starts
// writing PATH, prints its staging file's name and waits, mid-write, until
// stdin closes or it is killed.
func TestMain(m *testing.M) {
	if os.Getenv("OUTFILE_HELPER") == "hold" {
		f, err := Create(os.Args[len(os.Args)-1])
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		f.Write([]byte("partial"))
		fmt.Println(f.Name())
		io.Copy(io.Discard, os.Stdin)
		f.Abort()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// holdWriter starts a helper writing out and returns its staging file.
func holdWriter(t *testing.T, out string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", out)
	cmd.Env = append(os.Environ(), "OUTFILE_HELPER=hold")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Wait() })
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	name := strings.TrimSpace(line)
	if !strings.HasPrefix(filepath.Base(name), ".out"+tempTag) {
		t.Fatalf("helper: %q", line)
	}
	return cmd, name
}

// A writer killed mid-write leaves its staging file; the next write to the
// same target removes it. Staging files of live writers stay, whether their
// pid is alive here or only their lock says they are (a writer in another
// pid namespace), and so do other files.
func TestStaleStagingRemoved(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")

	_, live := holdWriter(t, out)
	killed, stale := holdWriter(t, out)
	killed.Process.Signal(syscall.SIGKILL)
	killed.Wait()

	// pid_max is at most 2^22: this pid is nobody's here.
	locked := filepath.Join(dir, ".out"+tempTag+"99999999.123")
	writeFile(t, locked, "x")
	lf, err := os.Open(locked)
	if err != nil {
		t.Fatal(err)
	}
	defer lf.Close()
	if err := syscall.Flock(int(lf.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, ".other"+tempTag+"99999999.123")
	writeFile(t, other, "x")

	for _, p := range []string{stale, live, locked, other} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("before the next write: %v", err)
		}
	}
	f, err := Create(out)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("complete"))
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the killed writer's %s is still there (%v)", filepath.Base(stale), err)
	}
	for _, p := range []string{live, locked, other} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed: %v", filepath.Base(p), err)
		}
	}
	// A live writer holds its staging file's lock: that is what keeps it
	// where its pid says nothing (another pid namespace).
	if lf, err := os.Open(live); err == nil {
		if tryLock(lf) {
			t.Error("a live writer's staging file is not locked")
		}
		lf.Close()
	}
	if b, _ := os.ReadFile(out); string(b) != "complete" {
		t.Errorf("out holds %q", b)
	}
}
