// Package readmeflags finds the flags the README shows a covkit command
// with, so that each command's tests can check that they exist.
package readmeflags

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Mentioned returns the flags (--name, -x; "=value" dropped) written after
// tool on a line of text, up to the end of its arguments: "--", a shell
// operator, a comment, or the end of a code span. Sorted, without repeats.
func Mentioned(text, tool string) []string {
	start := regexp.MustCompile(`(^|[\s\x60\[(])` + regexp.QuoteMeta(tool) + `\s`)
	var flags []string
	for _, line := range strings.Split(text, "\n") {
		for _, loc := range start.FindAllStringIndex(line, -1) {
			flags = append(flags, argsFlags(line[loc[1]:])...)
		}
	}
	slices.Sort(flags)
	return slices.Compact(flags)
}

func argsFlags(rest string) []string {
	var out []string
	for _, tok := range strings.Fields(rest) {
		end := false
		if i := strings.IndexAny(tok, "`]"); i >= 0 {
			tok, end = tok[:i], true
		}
		switch tok {
		case "--", "&&", "||", "|", ">", ">>", ";", "#":
			return out
		}
		if len(tok) > 1 && tok[0] == '-' && tok != "-" {
			name, _, _ := strings.Cut(tok, "=")
			out = append(out, name)
		}
		if end {
			break
		}
	}
	return out
}

// README returns the repository's README.md, found from the working
// directory upwards (a package's tests run in its directory).
func README() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "README.md"))
		if err == nil {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				return string(b), nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}

// Check is a command's README test: every flag the README shows tool with
// exists, as run (the command's run function) parses it.
func Check(t testing.TB, tool string, run func(args []string, stdin io.Reader, stdout, stderr io.Writer) int) {
	t.Helper()
	readme, err := README()
	if err != nil {
		t.Fatal(err)
	}
	flags := Mentioned(readme, tool)
	if len(flags) == 0 {
		t.Fatalf("the README shows %s with no flags: is the search broken?", tool)
	}
	for _, f := range flags {
		var out, errb bytes.Buffer
		// -h stops before anything runs; a value the flag cannot take
		// still shows that the flag exists.
		if code := run([]string{"-h", f, "1"}, nil, &out, &errb); code != 0 && strings.Contains(errb.String(), "unknown") {
			t.Errorf("the README shows %s %s: exit %d: %s", tool, f, code, errb.String())
		}
	}
}
