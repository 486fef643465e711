package outfile

import (
	"os"
	"path/filepath"
)

// Replace writes b to path in a directory covkit owns (a run's data
// directory), through a temporary file renamed over path: whatever path
// was (a file, a FIFO, or a symlink someone planted there) is replaced,
// never opened or followed. The temporary file's name starts with prefix.
// For outputs a user names, use Create, which writes through instead.
func Replace(path, prefix string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), prefix+"*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(b)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
