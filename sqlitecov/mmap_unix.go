//go:build unix

package sqlitecov

import (
	"os"
	"syscall"
)

// mapFile maps f read-only; ok is false when it cannot (empty file,
// unusual file system), and the caller reads it instead.
func mapFile(f *os.File, size int64) ([]byte, bool) {
	if size <= 0 || size != int64(int(size)) {
		return nil, false
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, false
	}
	return b, true
}

func unmapFile(b []byte) { syscall.Munmap(b) }
