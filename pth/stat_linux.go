package pth

import "syscall"

// changeTime is the inode's change time: Linux names the field Ctim.
func changeTime(s *syscall.Stat_t) syscall.Timespec { return s.Ctim }
