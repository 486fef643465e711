package outfile

import (
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// /dev/stdout and /dev/fd/N lead through /proc's links to open files: a
// pipe (no path at all) or a file the shell opened. Both are written
// through, as `covreport --json /dev/stdout | jq` and `... > out.json`
// expect.
func TestProcLinks(t *testing.T) {
	dir := t.TempDir()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	link := filepath.Join(dir, "stdout")
	symlink(t, "/proc/self/fd/"+strconv.Itoa(int(w.Fd())), link)
	got := make(chan []byte, 1)
	go func() { b, _ := io.ReadAll(r); got <- b }()
	f, err := Create(link)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("to the pipe"))
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if b := <-got; string(b) != "to the pipe" {
		t.Errorf("the pipe got %q", b)
	}

	shell := filepath.Join(dir, "out.json")
	writeFile(t, shell, "an older and longer content")
	sf, err := os.OpenFile(shell, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sf.Close()
	before, _ := os.Stat(shell)
	f, err = Create("/dev/fd/" + strconv.Itoa(int(sf.Fd())))
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("new"))
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(shell)
	if b, _ := os.ReadFile(shell); string(b) != "new" || !os.SameFile(before, after) {
		t.Errorf("the file behind the link holds %q (same file: %v), want %q written into it", b, os.SameFile(before, after), "new")
	}
	checkNoStaging(t, dir)
}
