//go:build !unix

package pth

import (
	"errors"
	"os"
)

// errNoHooks is why covkit's hooks cannot be managed here: the run
// registry's locking (flock), file ownership and process identities it
// relies on are POSIX ones.
var errNoHooks = errors.New("covkit's .pth hooks need a POSIX system (Linux, macOS)")

func flockExclusive(*os.File) error { return errNoHooks }

func canWrite(dir string) bool {
	f, err := os.CreateTemp(dir, ".covkit-probe-*")
	if err != nil {
		return false
	}
	f.Close()
	os.Remove(f.Name())
	return true
}

func fileOwner(os.FileInfo) (uid, gid int, ok bool) { return 0, 0, false }
