//go:build !unix

package cli

// umask is the conventional default where there is no process umask.
func umask() uint32 { return 0o022 }
