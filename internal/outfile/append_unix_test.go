//go:build unix

package outfile

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/covkit/covkit/internal/testnodes"
)

// Append adds to what is there and never replaces the node at the path.
func TestAppendTargets(t *testing.T) {
	add := []byte("| table |\n")
	cases := []struct {
		name  string
		setup func(t *testing.T, dir string) (dest, before string)
		kind  fs.FileMode
	}{
		{"missing", func(t *testing.T, dir string) (string, string) {
			return filepath.Join(dir, "out"), ""
		}, 0},
		{"regular", func(t *testing.T, dir string) (string, string) {
			writeFile(t, filepath.Join(dir, "out"), "# earlier step\n")
			return filepath.Join(dir, "out"), "# earlier step\n"
		}, 0},
		{"symlink to a regular file", func(t *testing.T, dir string) (string, string) {
			writeFile(t, filepath.Join(dir, "real"), "old\n")
			symlink(t, "real", filepath.Join(dir, "out"))
			return filepath.Join(dir, "real"), "old\n"
		}, fs.ModeSymlink},
		{"FIFO", func(t *testing.T, dir string) (string, string) {
			p := filepath.Join(dir, "out")
			testnodes.FIFO(t, p)
			read := testnodes.ReadFIFO(t, p)
			t.Cleanup(func() {
				if got := read(); !bytes.Equal(got, add) {
					t.Errorf("the FIFO's reader got %q, want %q", got, add)
				}
			})
			return "", ""
		}, fs.ModeNamedPipe},
		{"device", func(t *testing.T, dir string) (string, string) {
			testnodes.Null(t, filepath.Join(dir, "out"))
			return "", ""
		}, fs.ModeDevice | fs.ModeCharDevice},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			dest, before := c.setup(t, dir)
			out := filepath.Join(dir, "out")
			if err := Append(out, add); err != nil {
				t.Fatal(err)
			}
			st, err := os.Lstat(out)
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Type() != c.kind {
				t.Errorf("%s is now %v, want %v", out, st.Mode().Type(), c.kind)
			}
			if dest != "" {
				want := before + string(add)
				if got, err := os.ReadFile(dest); err != nil || string(got) != want {
					t.Errorf("%s holds %q (%v), want %q", dest, got, err, want)
				}
			}
			checkNoStaging(t, dir)
		})
	}
	if err := Append(t.TempDir(), add); err == nil {
		t.Error("Append to a directory succeeded")
	}
}
