//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package pth

import (
	"os"
	"syscall"
)

// inodeCtime returns the inode number and change time (ns) of st.
func inodeCtime(st os.FileInfo) (ino uint64, ctime int64, ok bool) {
	s, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	return uint64(s.Ino), s.Ctimespec.Sec*1e9 + s.Ctimespec.Nsec, true
}
