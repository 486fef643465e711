//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package pth

import "syscall"

// changeTime is the inode's change time: the BSDs name the field Ctimespec.
func changeTime(s *syscall.Stat_t) syscall.Timespec { return s.Ctimespec }
