package main

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/covkit/covkit/sqlitecov"
)

// --who's exit statuses: 0 with contexts listed, 1 for a line that did not
// run or a file not in the data, 2 for a malformed argument.
func TestWhoExitCodes(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	d := sqlitecov.NewData()
	d.HasLines = true
	d.File("/src/mod.py").Lines = map[string][]int{"t.py::test|run": {1}}
	if err := sqlitecov.WriteFile(data, d); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		who  string
		code int
		out  string
	}{
		{"/src/mod.py:1", 0, "t.py::test|run\n"},
		{"mod.py:1", 0, "t.py::test|run\n"},
		{"mod.py:2", 1, ""},
		{"other.py:1", 1, ""},
		{"mod.py", 2, ""},
		{"mod.py:one", 2, ""},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		code := run([]string{"--data-file", data, "--who", tt.who}, nil, &out, &errb)
		if code != tt.code || out.String() != tt.out {
			t.Errorf("--who %s: exit %d, stdout %q (stderr %q); want exit %d, stdout %q", tt.who, code, out.String(), errb.String(), tt.code, tt.out)
		}
	}
}
