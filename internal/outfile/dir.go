package outfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
)

// Dir is a directory of outputs being written (an HTML report): the files
// go into a staging directory inside the target, and Commit moves them in.
// Until then the target holds what it held before; Abort (or a crash, whose
// staging directory the next CreateDir for the target removes) leaves it so,
// and removes a target that CreateDir made.
type Dir struct {
	target  string
	stage   string
	lock    *os.File // the staging directory, locked while it is in use
	created bool
	done    bool
}

// dirPrefix starts the name of a staging directory: PID and random digits
// follow, as for files.
const dirPrefix = ".covkit-tmp."

// CreateDir starts writing into the directory path, creating it (and its
// parents) if missing. The staging directory is inside it, so it is on the
// same file system even when path is a symlink.
func CreateDir(path string) (*Dir, error) {
	_, err := os.Stat(path)
	created := errors.Is(err, fs.ErrNotExist)
	if err := os.MkdirAll(path, 0o777); err != nil {
		return nil, err
	}
	d := &Dir{target: path, created: created}
	removeStale(path, dirPrefix)
	d.stage, err = os.MkdirTemp(path, dirPrefix+strconv.Itoa(os.Getpid())+".*")
	if err == nil {
		d.lock, err = os.Open(d.stage)
	}
	if err != nil {
		d.Abort()
		return nil, err
	}
	lock(d.lock)
	return d, nil
}

// Path is the staging directory to write the files into.
func (d *Dir) Path() string { return d.stage }

// Commit moves the staged files into the target, replacing files of the
// same names; other files there stay.
func (d *Dir) Commit() error {
	if d.done {
		return nil
	}
	ents, err := os.ReadDir(d.stage)
	for _, e := range ents {
		if err != nil {
			break
		}
		err = os.Rename(filepath.Join(d.stage, e.Name()), filepath.Join(d.target, e.Name()))
	}
	if err != nil {
		d.Abort()
		return err
	}
	d.done = true
	d.lock.Close()
	return os.Remove(d.stage)
}

// Abort removes the staging directory, and the target if CreateDir made it
// and it is still empty; after Commit it does nothing.
func (d *Dir) Abort() {
	if d.done {
		return
	}
	d.done = true
	if d.lock != nil {
		d.lock.Close()
	}
	if d.stage != "" {
		os.RemoveAll(d.stage)
	}
	if d.created {
		os.Remove(d.target)
	}
}
