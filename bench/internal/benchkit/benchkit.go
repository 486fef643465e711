// Package benchkit holds what the benchmark commands under bench/ share:
// how they fail, where they work inside a test bed, how they build the
// covkit commands they time, and how they sum up rounds.
package benchkit

import (
	"cmp"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"

	"github.com/covkit/covkit/internal/testbed"
)

// Exit ends the benchmark with status 1, saying why, when err is set.
func Exit(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// Bed looks up the test bed name and returns it with the host path of its
// /tmp, where a benchmark's work directory goes so that the bed sees it.
func Bed(name string) (bed *testbed.Bed, tmp string, err error) {
	bed, err = testbed.Lookup(name)
	if err != nil {
		return nil, "", err
	}
	tmp = "/tmp"
	if bed.Root != "" {
		tmp = filepath.Join(bed.Root, "tmp")
	}
	return bed, tmp, nil
}

// Build builds the covkit commands names (cmd/NAME) into the directory
// bin, static, so that they run in any bed.
func Build(bin string, names ...string) error {
	for _, n := range names {
		c := exec.Command("go", "build", "-o", filepath.Join(bin, n), "./cmd/"+n)
		c.Dir = testbed.RepoRoot()
		c.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := c.CombinedOutput(); err != nil {
			return fmt.Errorf("build %s: %w\n%s", n, err, out)
		}
	}
	return nil
}

// Median returns the middle of vs (the upper one of an even count), the
// zero value of none.
func Median[T cmp.Ordered](vs []T) T {
	if len(vs) == 0 {
		var zero T
		return zero
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	return s[len(s)/2]
}
