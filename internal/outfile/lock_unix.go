//go:build unix

package outfile

import (
	"errors"
	"os"
	"syscall"
)

// lock takes an exclusive flock on f, released when f is closed or its
// process dies. A file system without flock leaves the pid to decide.
func lock(f *os.File) {
	for syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == syscall.EINTR {
	}
}

// tryLock reports whether f's lock is free (and takes it).
func tryLock(f *os.File) bool {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err != syscall.EINTR {
			return err == nil
		}
	}
}

// processAlive reports whether pid is a process here (one of another user
// counts).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// openNoFollow opens p for reading without following a symlink or waiting
// for a FIFO's writer.
func openNoFollow(p string) (*os.File, error) {
	return os.OpenFile(p, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}
