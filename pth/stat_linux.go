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
	return s.Ino, s.Ctim.Sec*1e9 + s.Ctim.Nsec, true
}
