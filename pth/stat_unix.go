//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

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
	c := changeTime(s)
	return uint64(s.Ino), c.Nano(), true
}
