package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/covkit/covkit/internal/testnodes"
)

func TestProgress(t *testing.T) {
	master, tty := testnodes.PTY(t)
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
				got = testnodes.ReadUntil(t, master, '|')
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
