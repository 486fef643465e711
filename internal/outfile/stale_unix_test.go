//go:build unix

package outfile

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/covkit/covkit/internal/testproc"
)

// The test binary doubles as a writer: OUTFILE_HELPER=hold PATH starts
// writing PATH, prints its staging file's name and waits, mid-write, until
// stdin closes or it is killed; OUTFILE_HELPER=holddir does the same for
// the directory PATH.
func TestMain(m *testing.M) {
	testproc.Main(m, "OUTFILE_HELPER", map[string]func(string) error{
		"holddir": func(p string) error {
			d, err := CreateDir(p)
			if err != nil {
				return err
			}
			os.WriteFile(filepath.Join(d.Path(), "index.html"), []byte("partial"), 0o666)
			fmt.Println(d.Path())
			io.Copy(io.Discard, os.Stdin)
			d.Abort()
			return nil
		},
		"hold": func(p string) error {
			f, err := Create(p)
			if err != nil {
				return err
			}
			f.Write([]byte("partial"))
			fmt.Println(f.Name())
			io.Copy(io.Discard, os.Stdin)
			f.Abort()
			return nil
		},
	})
}

// holdWriter starts a helper writing out (mode hold or holddir) and returns
// its staging file or directory.
func holdWriter(t *testing.T, mode, out string) (*exec.Cmd, string) {
	t.Helper()
	cmd := testproc.Self("OUTFILE_HELPER", mode, out)
	name, _ := testproc.Hold(t, cmd)
	if !strings.Contains(filepath.Base(name), "covkit-tmp.") {
		t.Fatalf("helper: %q", name)
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

	_, live := holdWriter(t, "hold", out)
	killed, stale := holdWriter(t, "hold", out)
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

// The same for a directory of outputs: a killed writer's staging directory
// goes with the next CreateDir; a live one's stays, and so does the report
// already there.
func TestStaleStagingDirRemoved(t *testing.T) {
	out := filepath.Join(t.TempDir(), "htmlcov")
	mkdir(t, out)
	writeFile(t, filepath.Join(out, "index.html"), "old report")
	_, live := holdWriter(t, "holddir", out)
	killed, stale := holdWriter(t, "holddir", out)
	killed.Process.Signal(syscall.SIGKILL)
	killed.Wait()
	if _, err := os.Stat(stale); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(out, "index.html")); string(b) != "old report" {
		t.Errorf("a staged report reached the target before Commit: %q", b)
	}
	d, err := CreateDir(out)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(d.Path(), "index.html"), "new report")
	if err := d.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the killed writer's %s is still there (%v)", filepath.Base(stale), err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("the live writer's staging directory was removed: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(out, "index.html")); string(b) != "new report" {
		t.Errorf("index.html holds %q", b)
	}
}
