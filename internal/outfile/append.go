package outfile

import (
	"errors"
	"io/fs"
	"os"
)

// Append adds b at the end of the file at path (a GitHub job summary, a
// log), creating a missing file (0o666 less the umask).
// It is never replaced: the path is opened, so a symlink is followed and a
// device or a FIFO receives the bytes and stays what it is. On a regular
// file the append is all or nothing: one write, and the file is cut back to
// its old size if that write fails (a full disk), so the next append does
// not follow half a table.
func Append(path string, b []byte) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return &fs.PathError{Op: "append", Path: path, Err: errors.New("is a directory")}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o666)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	_, err = f.Write(b)
	if err != nil && st.Mode().IsRegular() {
		if terr := f.Truncate(st.Size()); terr != nil {
			err = errors.Join(err, terr)
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
