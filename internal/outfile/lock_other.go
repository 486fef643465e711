//go:build !unix

package outfile

import "os"

func lock(*os.File)         {}
func tryLock(*os.File) bool { return false }
func processAlive(int) bool { return true }

func openNoFollow(p string) (*os.File, error) { return os.Open(p) }
