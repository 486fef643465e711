//go:build !unix

package sqlitecov

func umask() uint32 { return 0o022 }
