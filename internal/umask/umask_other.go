//go:build !unix

package umask

// Get is the conventional default where there is no process umask.
func Get() uint32 { return 0o022 }
