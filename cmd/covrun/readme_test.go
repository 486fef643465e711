package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/covkit/covkit/internal/readmeflags"
)

// Every flag the README shows covrun with exists.
func TestREADMEFlags(t *testing.T) {
	readme, err := readmeflags.README()
	if err != nil {
		t.Fatal(err)
	}
	flags := readmeflags.Mentioned(readme, "covrun")
	if len(flags) == 0 {
		t.Fatal("the README shows covrun with no flags: is the search broken?")
	}
	for _, f := range flags {
		var out, errb bytes.Buffer
		// -h stops before anything runs; a value the flag cannot take
		// still shows that the flag exists.
		if code := run([]string{"-h", f, "1"}, nil, &out, &errb); code != 0 && strings.Contains(errb.String(), "unknown") {
			t.Errorf("the README shows covrun %s: exit %d: %s", f, code, errb.String())
		}
	}
}
