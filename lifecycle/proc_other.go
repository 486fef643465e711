//go:build !unix

package lifecycle

import (
	"fmt"
	"runtime"
)

// unsupported says why covrun cannot run here.
var unsupported = fmt.Errorf("covrun runs commands on Linux and macOS, not on %s", runtime.GOOS)

// Exec would run c in a process group of its own with signals forwarded;
// covrun does that on POSIX systems only.
func Exec(c Command) (int, error) {
	return 127, fmt.Errorf("start %s: %w", c.Args[0], unsupported)
}
