package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY returns the two ends of a new pseudo-terminal.
func openPTY(t *testing.T) (master, slave *os.File) {
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

func TestProgress(t *testing.T) {
	master, tty := openPTY(t)
	file, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	tests := []struct {
		name string
		w    *os.File
		n    int
		want string
	}{
		{"terminal, long merge", tty, 250, "covmerge: merging 250 data files...\r\033[K"},
		{"terminal, short merge", tty, ProgressThreshold - 1, ""},
		{"regular file", file, 250, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := Progress(tt.w, "covmerge", tt.n)
			done()
			got := ""
			if tt.w == tty {
				// A marker shows where this case's output ends.
				fmt.Fprint(tty, "|")
				got = readUntil(t, master, '|')
			} else {
				st, _ := file.Stat()
				if st.Size() != 0 {
					got = "(bytes written)"
				}
			}
			if got != tt.want {
				t.Errorf("Progress wrote %q, want %q", got, tt.want)
			}
		})
	}
}

func readUntil(t *testing.T, f *os.File, end byte) string {
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
