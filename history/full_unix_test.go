//go:build unix

package history

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/covkit/covkit/internal/testnodes"
)

// An append on a full disk fails and adds nothing (issue 16: it left a
// cut-off record that every later run warned about); once there is room,
// the next run appends cleanly and nobody warns.
func TestAppendOnFullDisk(t *testing.T) {
	dir := t.TempDir()
	testnodes.Tmpfs(t, dir, 64<<10)
	path := filepath.Join(dir, "history.jsonl")
	// One record padded so that the file ends 40 bytes short of a page:
	// the next record fits in part, in the page already there, and the
	// full disk refuses the rest.
	first := NewRecord(set(), now, "")
	line, _ := first.Marshal()
	first.Commit = strings.Repeat("c", 4096-40-len(line)-len(`,"commit":""`))
	if err := Append(path, first); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Size() != 4096-40 {
		t.Fatalf("history is %d bytes, want %d", st.Size(), 4096-40)
	}
	filler := filepath.Join(dir, "filler")
	testnodes.Fill(t, filler)
	before, _ := os.ReadFile(path)

	err := Append(path, NewRecord(set(), now.Add(time.Hour), ""))
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("append on a full disk: %v, want ENOSPC", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
		t.Errorf("the failed append changed the history: %d bytes, then %d", len(before), len(after))
	}

	os.Remove(filler)
	recs, _, err := Track(path, set(), now.Add(2*time.Hour), dir, 0, func(f string, a ...any) {
		t.Errorf("unexpected warning: "+f, a...)
	})
	if err != nil || len(recs) != 2 {
		t.Fatalf("next run: %d records, %v", len(recs), err)
	}
}

// A history that is a FIFO or a device has nothing to read back: a run
// neither waits for a writer nor replaces the node, and its record is
// written through (issue 16).
func TestSpecialHistory(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	testnodes.FIFO(t, fifo)
	read := testnodes.ReadFIFO(t, fifo)
	done := make(chan error, 1)
	go func() {
		_, _, err := Track(fifo, set(), now, dir, 0, nil)
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Track still waiting on a FIFO history after 10s")
	}
	want, _ := NewRecord(set(), now, GitCommit(dir)).Marshal()
	if got := read(); !bytes.Equal(got, want) {
		t.Errorf("the FIFO's reader got %q, want %q", got, want)
	}

	null := filepath.Join(dir, "null")
	testnodes.Null(t, null)
	if _, _, err := Track(null, set(), now, dir, 0, nil); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(null); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		t.Errorf("%s is no longer a device (%v)", null, err)
	}
}
