// Package testnodes makes the special file-system nodes covkit's tests point
// its tools at, as a root user's mistake or another local user would: device
// nodes, FIFOs, tiny and read-only file systems. What needs root skips the
// test (with a message saying so) for other users.
package testnodes

import (
	"fmt"
	"os"
	"testing"
)

// Condition answers the conditions covkit's testscript suites add to
// testscript's own: [root] is true when the test runs as root, which
// device nodes (mknod) and mounts need.
func Condition(cond string) (bool, error) {
	switch cond {
	case "root":
		return os.Geteuid() == 0, nil
	}
	return false, fmt.Errorf("unknown condition %q", cond)
}

// NeedRoot skips the test unless it runs as root.
func NeedRoot(t testing.TB, what string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skipf("%s needs root", what)
	}
}
