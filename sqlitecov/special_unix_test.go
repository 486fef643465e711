//go:build unix

package sqlitecov

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/covkit/covkit/internal/testnodes"
)

// A data file path that leads to a FIFO or a device is refused at once,
// without waiting for a writer or reading an endless device (issue 16: a
// FIFO hung covmerge and covreport; a link to /dev/zero was read at 600
// MB/s without end).
func TestSpecialInputsRefused(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, ".coverage.fifo")
	testnodes.FIFO(t, fifo)
	t.Cleanup(func() {
		// Release a reader still waiting for a writer.
		if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
	})
	cases := map[string]string{"FIFO": fifo}
	if os.Geteuid() == 0 {
		zero := filepath.Join(dir, "zero")
		testnodes.Zero(t, zero)
		link := filepath.Join(dir, ".coverage.zero")
		if err := os.Symlink(zero, link); err != nil {
			t.Fatal(err)
		}
		cases["symlink to a zero device"] = link
	}
	for name, p := range cases {
		t.Run(name, func(t *testing.T) {
			var fr FileReader
			defer fr.Close()
			reads := map[string]func() error{
				"ReadFile":    func() error { _, err := ReadFile(p); return err },
				"ReadFileRaw": func() error { _, err := ReadFileRaw(p, &Raw{}, nil); return err },
				"FileReader":  func() error { return fr.ReadRaw(p, &Raw{}, nil) },
			}
			for what, read := range reads {
				done := make(chan error, 1)
				go func() { done <- read() }()
				select {
				case err := <-done:
					if !errors.Is(err, ErrNotRegular) {
						t.Errorf("%s: %v, want ErrNotRegular", what, err)
					}
				case <-time.After(10 * time.Second):
					t.Fatalf("%s still reading after 10s", what)
				}
			}
		})
	}
}
