package pysource

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// Version is a CPython (or coverage.py) version, major and minor.
type Version struct{ Major, Minor int }

// DefaultVersion is the CPython version targeted when none is given (Options
// with a zero Version): the newest one covkit models, 3.14. Reports about
// data measured under another Python should pass that version (from the data
// file's metadata, a flag, or DetectVersion).
var DefaultVersion = Version{3, 14}

// DefaultCoverage is the coverage.py version whose parser is emulated when
// Options.Coverage is zero: the newest one covkit is tested against.
var DefaultCoverage = Version{7, 16}

// Supported target CPython versions.
var (
	MinVersion = Version{3, 9}
	MaxVersion = Version{3, 14}
)

func (v Version) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// IsZero reports whether v is the zero Version (meaning "default").
func (v Version) IsZero() bool { return v.Major == 0 && v.Minor == 0 }

// AtLeast reports whether v >= major.minor.
func (v Version) AtLeast(major, minor int) bool {
	return v.Major > major || v.Major == major && v.Minor >= minor
}

// Less reports whether v < w.
func (v Version) Less(w Version) bool { return !v.AtLeast(w.Major, w.Minor) }

// ParseVersion parses "3.12" (or "3.12.1", "Python 3.12.1") into a Version.
func ParseVersion(s string) (Version, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "Python ")
	parts := strings.SplitN(s, ".", 3)
	if len(parts) < 2 {
		return Version{}, fmt.Errorf("bad version %q: want MAJOR.MINOR", s)
	}
	maj, err1 := strconv.Atoi(parts[0])
	mnr := parts[1]
	if i := strings.IndexFunc(mnr, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		mnr = mnr[:i]
	}
	min, err2 := strconv.Atoi(mnr)
	if err1 != nil || err2 != nil {
		return Version{}, fmt.Errorf("bad version %q: want MAJOR.MINOR", s)
	}
	return Version{maj, min}, nil
}

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
	return ParseVersion(out.String())
}

// clamp returns the version whose compiler behaviour is modelled for v.
func (v Version) clamp() Version {
	if v.IsZero() {
		return DefaultVersion
	}
	if v.Less(MinVersion) {
		return MinVersion
	}
	if MaxVersion.Less(v) {
		return MaxVersion
	}
	return v
}
