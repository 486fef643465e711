package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/covkit/covkit/internal/cli"
	"github.com/covkit/covkit/internal/testnodes"
	"github.com/covkit/covkit/sqlitecov"
)

// On a terminal a long merge shows covrun's progress line, erased when it
// is over; -q, a short merge or a stderr that is no terminal show none.
func TestProgressOnTerminal(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	n := cli.ProgressThreshold
	for i := range n {
		d := sqlitecov.NewData()
		d.HasLines = true
		d.File(fmt.Sprintf("/src/m%d.py", i)).Lines = map[string][]int{"": {1}}
		if err := sqlitecov.WriteFile(filepath.Join(dir, fmt.Sprintf(".coverage.%d", i)), d); err != nil {
			t.Fatal(err)
		}
	}
	master, tty := testnodes.PTY(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"long merge", []string{"--keep", "-o", "out"}, fmt.Sprintf("covmerge: merging %d data files...\r\033[KCombined %d files\r\n", n, n)},
		{"quiet", []string{"-q", "--keep", "-o", "out"}, ""},
		{"short merge", []string{"--keep", "-o", "out", ".coverage.1", ".coverage.2"}, "Combined 2 files\r\n"},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		if code := run(tt.args, nil, &out, tty); code != 0 {
			t.Fatalf("%s: exit %d", tt.name, code)
		}
		fmt.Fprint(tty, "|")
		if got := testnodes.ReadUntil(t, master, '|'); got != tt.want {
			t.Errorf("%s: the terminal got %q, want %q", tt.name, got, tt.want)
		}
	}
	var errb bytes.Buffer
	run([]string{"--keep", "-o", "out"}, nil, &bytes.Buffer{}, &errb)
	if got, want := errb.String(), fmt.Sprintf("Combined %d files\n", n); got != want {
		t.Errorf("not a terminal: stderr %q, want %q", got, want)
	}
}
