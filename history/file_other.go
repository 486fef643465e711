//go:build !unix

package history

import "os"

func lockFile(*os.File) (func(), error) { return func() {}, nil }
