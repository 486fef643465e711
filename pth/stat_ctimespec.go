//go:build darwin || freebsd || netbsd

package pth

import "syscall"

// changeTime is the inode's change time: macOS, FreeBSD and NetBSD name
// the field Ctimespec.
func changeTime(s *syscall.Stat_t) syscall.Timespec { return s.Ctimespec }
