package pysource

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"time"

	"github.com/covkit/covkit/releases"
)

// Version is a CPython (or coverage.py) version; see package releases.
type Version = releases.Version

// DefaultVersion is the CPython version targeted when none is given (Options
// with a zero Version): the newest one covkit models. Reports about data
// measured under another Python should pass that version.
var DefaultVersion = releases.LatestPython

// DefaultCoverage is the coverage.py version whose parser is emulated when
// Options.Coverage is zero: the newest one covkit is tested against.
var DefaultCoverage = releases.LatestCoverage

// ParseVersion parses "3.12" (or "3.12.1", "Python 3.12.1") into a Version.
func ParseVersion(s string) (Version, error) { return releases.Parse(s) }

// DetectVersion runs the interpreter python ("" means "python3" on PATH) and
// returns its version.
func DetectVersion(python string) (Version, error) {
	if python == "" {
		python = "python3"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return Version{}, fmt.Errorf("detect python version with %s: %w: %s", python, err, bytes.TrimSpace(errb.Bytes()))
	}
	return releases.ParsePython(out.String())
}
