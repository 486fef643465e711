//go:build !linux

package dockerkit

import (
	"fmt"
	"io"
	"runtime"
)

// Init is covdocker init, the PID 1 of measured containers: it runs in
// Linux containers only.
func Init(args []string, stderr io.Writer) int {
	fmt.Fprintf(stderr, "covdocker: init runs as PID 1 in Linux containers, not on %s\n", runtime.GOOS)
	return 1
}
