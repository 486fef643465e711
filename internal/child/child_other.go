//go:build !unix

package child

import (
	"fmt"
	"runtime"
)

// Unsupported says why covkit cannot run commands here.
var Unsupported = fmt.Errorf("covrun runs commands on Linux and macOS, not on %s", runtime.GOOS)

// Run would run c with signals forwarded; covkit does that on POSIX systems
// only.
func Run(c Command) (int, error) {
	return 127, fmt.Errorf("start %s: %w", c.Args[0], Unsupported)
}
