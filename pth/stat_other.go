//go:build !linux && !darwin && !freebsd && !netbsd && !openbsd && !dragonfly

package pth

import "os"

// inodeCtime is not known here: stamps use the modification time alone.
func inodeCtime(os.FileInfo) (ino uint64, ctime int64, ok bool) { return 0, 0, false }
