//go:build !linux && !darwin && !freebsd && !netbsd && !openbsd && !dragonfly

package cli

import "os"

// IsTerminal reports whether f is a terminal; here it never says so, so
// that no progress line or terminal control is attempted.
func IsTerminal(f *os.File) bool { return false }
