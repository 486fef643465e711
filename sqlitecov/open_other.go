//go:build !unix

package sqlitecov

import "os"

func openNonblock(path string) (*os.File, error) { return os.Open(path) }
