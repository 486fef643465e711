//go:build unix

package infile

import (
	"os"
	"syscall"
)

// openNonblock opens path for reading without waiting for a FIFO's writer
// (for a regular file, O_NONBLOCK changes nothing).
func openNonblock(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
