//go:build unix

package outfile

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/covkit/covkit/internal/testnodes"
)

// targetCase makes a target of one kind at dir/out for a writer to write
// through.
type targetCase struct {
	name string
	// setup makes dir/out; it returns where the bytes should land
	// ("" when they cannot be read back: a device, a FIFO's reader
	// checked by the case itself).
	setup func(t *testing.T, dir string) string
	kind  fs.FileMode // type bits of dir/out afterwards
}

// commonTargets are the kinds of target every writer must keep: none yet,
// a regular file and a symlink to one (each holding old), a FIFO whose
// reader must get exactly written, and a device.
func commonTargets(old string, written []byte) []targetCase {
	return []targetCase{
		{"missing", func(t *testing.T, dir string) string {
			return filepath.Join(dir, "out")
		}, 0},
		{"regular", func(t *testing.T, dir string) string {
			writeFile(t, filepath.Join(dir, "out"), old)
			return filepath.Join(dir, "out")
		}, 0},
		{"symlink to a regular file", func(t *testing.T, dir string) string {
			writeFile(t, filepath.Join(dir, "real"), old)
			symlink(t, "real", filepath.Join(dir, "out"))
			return filepath.Join(dir, "real")
		}, fs.ModeSymlink},
		{"FIFO", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "out")
			testnodes.FIFO(t, p)
			read := testnodes.ReadFIFO(t, p)
			t.Cleanup(func() {
				if got := read(); !bytes.Equal(got, written) {
					t.Errorf("the FIFO's reader got %q, want %q", got, written)
				}
			})
			return ""
		}, fs.ModeNamedPipe},
		{"device", func(t *testing.T, dir string) string {
			testnodes.Null(t, filepath.Join(dir, "out"))
			return ""
		}, fs.ModeDevice | fs.ModeCharDevice},
	}
}

// checkTargets makes each case's target in a fresh directory, writes to
// dir/out with write, and checks that the node at out is still of its
// kind, that the bytes reached where out leads (want of what was there
// before), and that no staging file is left.
func checkTargets(t *testing.T, cases []targetCase, write func(out string) error, want func(before []byte) []byte) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			dest := c.setup(t, dir)
			var before []byte
			if dest != "" {
				before, _ = os.ReadFile(dest)
			}
			out := filepath.Join(dir, "out")
			if err := write(out); err != nil {
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
				if got, err := os.ReadFile(dest); err != nil || !bytes.Equal(got, want(before)) {
					t.Errorf("%s holds %q (%v), want %q", dest, got, err, want(before))
				}
			}
			checkNoStaging(t, dir)
		})
	}
}

// Create and Commit replace what out leads to and keep the node at out.
func TestTargets(t *testing.T) {
	want := []byte("new content\n")
	cases := append(commonTargets("old", want),
		targetCase{"dangling symlink", func(t *testing.T, dir string) string {
			symlink(t, "real", filepath.Join(dir, "out"))
			return filepath.Join(dir, "real")
		}, fs.ModeSymlink},
		targetCase{"chain of symlinks through a symlinked directory", func(t *testing.T, dir string) string {
			// out -> d/link, d -> a/b (a symlink), a/b/link -> ../real:
			// .. is taken from the real directory a/b, so the bytes go
			// to a/real, not to dir/real.
			mkdir(t, filepath.Join(dir, "a", "b"))
			symlink(t, filepath.Join("a", "b"), filepath.Join(dir, "d"))
			symlink(t, filepath.Join("..", "real"), filepath.Join(dir, "a", "b", "link"))
			symlink(t, filepath.Join("d", "link"), filepath.Join(dir, "out"))
			writeFile(t, filepath.Join(dir, "a", "real"), "old")
			return filepath.Join(dir, "a", "real")
		}, fs.ModeSymlink},
	)
	checkTargets(t, cases, func(out string) error {
		f, err := Create(out)
		if err != nil {
			return err
		}
		if _, err := f.Write(want); err != nil {
			return err
		}
		return f.Commit()
	}, func([]byte) []byte { return want })
}

func TestDirectoryTarget(t *testing.T) {
	dir := t.TempDir()
	if _, err := Create(dir); err == nil {
		t.Fatal("Create of a directory succeeded")
	}
}

// Abort leaves the old file as it was; Undo takes back only a file that
// Commit created.
func TestAbortAndUndo(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "old")
	writeFile(t, old, "old")
	f, err := Create(old)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("new"))
	f.Abort()
	if b, _ := os.ReadFile(old); string(b) != "old" {
		t.Errorf("after Abort: %q", b)
	}
	f, _ = Create(old)
	f.Write([]byte("new"))
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	f.Undo()
	if b, _ := os.ReadFile(old); string(b) != "new" {
		t.Errorf("Undo of a replaced file: %q, want it kept", b)
	}
	fresh := filepath.Join(dir, "fresh")
	f, _ = Create(fresh)
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	f.Undo()
	if _, err := os.Stat(fresh); !os.IsNotExist(err) {
		t.Errorf("Undo of a created file: %v, want it gone", err)
	}
	checkNoStaging(t, dir)
}

func writeFile(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o666); err != nil {
		t.Fatal(err)
	}
}

func mkdir(t *testing.T, p string) {
	t.Helper()
	if err := os.MkdirAll(p, 0o777); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, p string) {
	t.Helper()
	if err := os.Symlink(target, p); err != nil {
		t.Fatal(err)
	}
}

func checkNoStaging(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasPrefix(d.Name(), ".") {
			t.Errorf("staging file left behind: %s", p)
		}
		return nil
	})
}
