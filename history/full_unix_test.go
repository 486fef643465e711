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
