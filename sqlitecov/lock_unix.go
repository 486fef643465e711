//go:build unix

package sqlitecov

import (
	"os"
	"syscall"
)

// SQLite's lock bytes (os_unix.c): a writer holds a write lock on the
// pending byte, the reserved byte or the shared range while it changes the
// file.
const (
	pendingByte = 0x40000000
	lockSpan    = 2 + 510
)

// lockedForWrite reports whether another process holds an SQLite write
// lock on f: the file is being written and its bytes may be inconsistent.
func lockedForWrite(f *os.File) bool {
	lk := syscall.Flock_t{Type: syscall.F_RDLCK, Whence: 0, Start: pendingByte, Len: lockSpan}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_GETLK, &lk); err != nil {
		return false
	}
	return lk.Type != syscall.F_UNLCK
}
