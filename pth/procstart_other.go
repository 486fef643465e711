//go:build !linux && !darwin

package pth

import (
	"fmt"
	"runtime"
)

// procStart would return the start time of pid; covkit reads it on Linux
// (/proc) and macOS (sysctl) only.
func procStart(pid int) (string, error) {
	return "", fmt.Errorf("process start times are not read on %s", runtime.GOOS)
}
