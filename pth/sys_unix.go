//go:build unix

package pth

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// flockExclusive takes an exclusive flock on f (released when f closes).
func flockExclusive(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
}

// canWrite reports whether this process may write in dir.
func canWrite(dir string) bool {
	return unix.Access(dir, unix.W_OK) == nil
}

// fileOwner returns the owner and group of the file st describes.
func fileOwner(st os.FileInfo) (uid, gid int, ok bool) {
	s, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	return int(s.Uid), int(s.Gid), true
}
