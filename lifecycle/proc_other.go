//go:build !unix

package lifecycle

import (
	"fmt"
	"runtime"
)

// Exec would run c in a process group of its own with signals forwarded;
// covrun does that on POSIX systems only.
func Exec(c Command) (int, error) {
	return 127, fmt.Errorf("start %s: covrun runs commands on Linux and macOS, not on %s", c.Args[0], runtime.GOOS)
}
