//go:build unix

package sqlitecov

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/covkit/covkit/internal/testnodes"
)

// A data file path that is a symlink is written where the link points (the
// link stays); a device or FIFO receives the file's bytes and stays what it
// is (issue 16: the rename replaced them).
func TestWriteFileThroughSpecialTargets(t *testing.T) {
	d, err := ReadFile("testdata/lines-65.coverage")
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := Write(&want, d); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()

	link := filepath.Join(dir, ".coverage")
	if err := os.Symlink(filepath.Join("real", ".coverage"), link); err != nil {
		t.Fatal(err)
	}
	os.Mkdir(filepath.Join(dir, "real"), 0o777)
	for range 2 { // the link's target missing, then there
		if err := WriteFile(link, d); err != nil {
			t.Fatal(err)
		}
		if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
			t.Fatalf("%s is no longer a symlink (%v)", link, err)
		}
		if got, _ := os.ReadFile(filepath.Join(dir, "real", ".coverage")); !bytes.Equal(got, want.Bytes()) {
			t.Fatal("the link's target does not hold the data")
		}
	}

	fifo := filepath.Join(dir, "fifo")
	testnodes.FIFO(t, fifo)
	read := testnodes.ReadFIFO(t, fifo)
	if err := WriteFile(fifo, d); err != nil {
		t.Fatal(err)
	}
	if got := read(); !bytes.Equal(got, want.Bytes()) {
		t.Errorf("the FIFO's reader got %d bytes, want the %d of the data file", len(got), want.Len())
	}
	if st, err := os.Lstat(fifo); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("%s is no longer a FIFO (%v)", fifo, err)
	}

	null := filepath.Join(dir, "null")
	testnodes.Null(t, null)
	if err := WriteFile(null, d); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(null); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		t.Errorf("%s is no longer a device (%v)", null, err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".*tmp*")); len(m) > 0 {
		t.Errorf("temporary files left behind: %v", m)
	}
}
