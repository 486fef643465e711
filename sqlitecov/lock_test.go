//go:build unix

package sqlitecov

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/covkit/covkit/internal/testfiles"
	"github.com/covkit/covkit/internal/testproc"
)

// The test binary doubles as a helper process: SQLITECOV_HELPER=lock PATH
// holds an SQLite-style write lock on PATH until stdin closes (a writer in
// the middle of a transaction); SQLITECOV_HELPER=read PATH prints what
// ReadFile says (run as another user).
func TestMain(m *testing.M) {
	testproc.Main(m, "SQLITECOV_HELPER", map[string]func(string) error{
		"lock": func(p string) error {
			f, err := os.OpenFile(p, os.O_RDWR, 0)
			if err != nil {
				return err
			}
			lk := syscall.Flock_t{Type: syscall.F_WRLCK, Start: pendingByte, Len: lockSpan}
			if err := syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &lk); err != nil {
				return err
			}
			fmt.Println("locked")
			io.Copy(io.Discard, os.Stdin)
			return nil
		},
		"read": func(p string) error {
			_, err := ReadFile(p)
			fmt.Println(err)
			return nil
		},
	})
}

func TestLockedFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "busy.coverage")
	testfiles.CopyFile(t, "testdata/lines-65.coverage", p)
	release := holdLock(t, testproc.Self("SQLITECOV_HELPER", "lock", p))
	if _, err := ReadFile(p); !errors.Is(err, ErrLocked) {
		t.Fatalf("ReadFile of a file being written: %v, want ErrLocked", err)
	}
	release()
	if _, err := ReadFile(p); err != nil {
		t.Fatalf("after the writer finished: %v", err)
	}
}

func TestUnreadableFile(t *testing.T) {
	// Not t.TempDir: its parent is private, and the helper runs as nobody.
	dir, err := os.MkdirTemp("", "sqlitecov-perm-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	p := filepath.Join(dir, "secret.coverage")
	testfiles.CopyFile(t, "testdata/lines-65.coverage", p)
	os.Chmod(p, 0)
	if os.Geteuid() != 0 {
		if _, err := ReadFile(p); !errors.Is(err, os.ErrPermission) {
			t.Fatalf("ReadFile: %v, want permission denied", err)
		}
		return
	}
	// root reads anything: ask an unprivileged copy of the test binary.
	exe := filepath.Join(dir, "helper.test")
	b, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(exe, b, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$", p)
	cmd.Env = append(os.Environ(), "SQLITECOV_HELPER=read")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Skipf("cannot run as nobody: %v %s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "permission denied" {
		t.Fatalf("ReadFile as nobody: %q, want %q", got, "permission denied")
	}
}

// The same with SQLite itself holding the lock: Python's sqlite3 in an
// exclusive transaction, as a writer mid-commit.
func TestLockedBySQLite(t *testing.T) {
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		t.Skip("no /usr/bin/python3")
	}
	for _, mode := range []string{"EXCLUSIVE", "IMMEDIATE"} {
		t.Run(mode, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "busy.coverage")
			testfiles.CopyFile(t, "testdata/lines-65.coverage", p)
			script := `import sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN ` + mode + `")
c.execute("insert into meta (key, value) values ('x', 'y')")
print("locked", flush=True)
sys.stdin.read()
`
			holdLock(t, exec.Command("/usr/bin/python3", "-c", script, p))
			if _, err := ReadFile(p); !errors.Is(err, ErrLocked) {
				t.Fatalf("ReadFile during a %s transaction: %v, want ErrLocked", mode, err)
			}
		})
	}
}

// holdLock starts cmd, a process that locks a data file, prints "locked"
// and keeps the lock until its stdin closes, and waits for the lock. The
// returned function (also run at the end of the test) releases it.
func holdLock(t *testing.T, cmd *exec.Cmd) (release func()) {
	t.Helper()
	line, release := testproc.Hold(t, cmd)
	if line != "locked" {
		t.Fatalf("%s: %q", filepath.Base(cmd.Path), line)
	}
	return release
}
