//go:build linux || openbsd || dragonfly

package pth

import "syscall"

// changeTime is the inode's change time: Linux, OpenBSD and DragonFly name
// the field Ctim.
func changeTime(s *syscall.Stat_t) syscall.Timespec { return s.Ctim }
