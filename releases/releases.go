// Package releases knows the releases of CPython and coverage.py that decide
// what coverage.py reports about a file: it parses their version numbers and
// holds, in one table, what each coverage.py release does by default (its
// default exclusion and partial-branch regexes) and which report options it
// reads. Every other package takes these facts from here.
package releases

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is a CPython or coverage.py version. Patch matters only for
// coverage.py (7.10.0 and 7.10.1 differ); a CPython version has Patch 0.
type Version struct{ Major, Minor, Patch int }

// Supported CPython versions, and the newest, which covkit targets when
// nothing says otherwise.
var (
	MinPython    = Version{Major: 3, Minor: 9}
	MaxPython    = Version{Major: 3, Minor: 14}
	LatestPython = MaxPython
)

// Supported coverage.py releases. LatestCoverage is also the release whose
// report formats covkit writes.
var (
	MinCoverage    = Version{Major: 6, Minor: 5}
	LatestCoverage = Version{Major: 7, Minor: 16, Patch: 1}
)

// Parse reads "3.12", "3.12.1", "Python 3.12.1", "6.5.0" or "7.10.0b1"
// (a pre-release suffix is dropped).
func Parse(s string) (Version, error) {
	t := strings.TrimSpace(s)
	t = strings.TrimPrefix(t, "Python ")
	parts := strings.SplitN(t, ".", 3)
	if len(parts) < 2 {
		return Version{}, fmt.Errorf("bad version %q: want MAJOR.MINOR", s)
	}
	var nums [3]int
	for i, p := range parts {
		// Drop a suffix such as "b1", "rc2", "+" or "a0".
		if j := strings.IndexFunc(p, func(r rune) bool { return r < '0' || r > '9' }); j >= 0 {
			if i < 2 && j == 0 {
				return Version{}, fmt.Errorf("bad version %q: want MAJOR.MINOR", s)
			}
			p = p[:j]
		}
		if p == "" {
			continue
		}
		n, err := strconv.Atoi(p)
		if err != nil {
			return Version{}, fmt.Errorf("bad version %q: want MAJOR.MINOR", s)
		}
		nums[i] = n
	}
	return Version{nums[0], nums[1], nums[2]}, nil
}

// ParsePython parses a CPython version (3.N) and drops its patch level.
func ParsePython(s string) (Version, error) {
	v, err := Parse(s)
	if err != nil || v.Major != 3 {
		return Version{}, fmt.Errorf("bad CPython version %q (want 3.N)", s)
	}
	return Version{Major: 3, Minor: v.Minor}, nil
}

// ParseCoverage parses a coverage.py version (5.x, 6.x or 7.x).
func ParseCoverage(s string) (Version, error) {
	v, err := Parse(s)
	if err != nil || v.Major < 5 {
		return Version{}, fmt.Errorf("bad coverage.py version %q (want 6.x or 7.x)", s)
	}
	return v, nil
}

// String is "M.m", or "M.m.p" when Patch is set.
func (v Version) String() string {
	if v.Patch != 0 {
		return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
	}
	return fmt.Sprintf("%d.%d", v.Major, v.Minor)
}

// IsZero reports whether v is the zero Version (unknown, or "default").
func (v Version) IsZero() bool { return v == Version{} }

// AtLeast reports whether v >= major.minor (any patch level).
func (v Version) AtLeast(major, minor int) bool {
	return v.Major > major || v.Major == major && v.Minor >= minor
}

// Compare returns -1, 0 or +1 as v is older than, equal to or newer than w.
func (v Version) Compare(w Version) int {
	for _, d := range [3]int{v.Major - w.Major, v.Minor - w.Minor, v.Patch - w.Patch} {
		if d < 0 {
			return -1
		}
		if d > 0 {
			return 1
		}
	}
	return 0
}

// Less reports whether v < w.
func (v Version) Less(w Version) bool { return v.Compare(w) < 0 }

// ClampPython returns the CPython version whose compiler covkit models for
// v: the nearest supported one (zero means LatestPython).
func ClampPython(v Version) Version {
	v.Patch = 0
	switch {
	case v.IsZero():
		return LatestPython
	case v.Less(MinPython):
		return MinPython
	case MaxPython.Less(v):
		return MaxPython
	}
	return v
}
