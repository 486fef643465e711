package testnodes

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// PTY returns the two ends of a new pseudo-terminal: what a tool writes to
// tty (its stderr on a terminal) is read from master. The test is skipped
// where there are no pseudo-terminals.
func PTY(t testing.TB) (master, tty *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return m, s
}

// ReadUntil reads from f up to the byte end and returns what came before.
func ReadUntil(t testing.TB, f *os.File, end byte) string {
	t.Helper()
	var b strings.Builder
	buf := make([]byte, 1)
	for {
		if _, err := f.Read(buf); err != nil {
			t.Fatal(err)
		}
		if buf[0] == end {
			return b.String()
		}
		b.WriteByte(buf[0])
	}
}
