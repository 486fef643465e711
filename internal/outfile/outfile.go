// Package outfile owns how covkit writes a file a user named (a report, a
// data file, a hook): the one place that decides between replacing it
// atomically and writing through it.
//
// A regular file, or a path where nothing exists yet, is replaced
// atomically: the bytes go to a temporary file beside it, which is synced
// and renamed over it only when complete, so a crash or a full disk never
// leaves a half-written file. Anything else is written through, as
// coverage.py (and any program that opens the path) would: a symlink is
// followed and its target is what gets replaced, and a device or a FIFO
// (/dev/null, /dev/stdout, a pipe to another program) receives the bytes
// and stays what it is. Renaming over those would replace the node itself:
// as root, /dev/null machine-wide.
package outfile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/covkit/covkit/internal/umask"
)

// File is an output being written: write to it (or hand Name, the staging
// file, to a library that wants a path), then Commit or Abort. Nothing
// reaches the target before Commit.
type File struct {
	*os.File        // the staging file
	path     string // as given to Create
	target   string // where the bytes end up, symlinks resolved
	through  bool   // write through path instead of renaming onto target
	existed  bool   // target existed at Create
	perm     fs.FileMode
	done     bool
}

// Create starts writing path with the permissions 0o666 less the umask.
// The directory holding path (or the target of a symlink at path) must
// exist.
func Create(path string) (*File, error) {
	return CreateMode(path, 0o666&^fs.FileMode(umask.Get()))
}

// CreateMode is Create with explicit permissions for a file that is
// created or replaced (a file written through keeps its own).
func CreateMode(path string, perm fs.FileMode) (*File, error) {
	target, st, viaProc, err := resolve(path)
	if err != nil {
		return nil, err
	}
	o := &File{path: path, target: target, perm: perm, existed: st != nil}
	switch {
	case viaProc:
		// /dev/stdout, /dev/fd/N: a link to one of a process's open
		// files (a pipe, a terminal, a file the shell opened). Only
		// the kernel knows where it leads; whatever it is, it is
		// written through, never replaced.
		o.through = true
	case st != nil && st.IsDir():
		return nil, &fs.PathError{Op: "write", Path: path, Err: syscall.EISDIR}
	case st != nil && !st.Mode().IsRegular():
		// A device, a FIFO, a socket.
		o.through = true
	}
	if o.through {
		// Stage the bytes elsewhere and write them through at Commit
		// (opening a FIFO waits for its reader, so it is not opened
		// before the output is complete).
		o.File, err = os.CreateTemp("", "covkit-out-*")
	} else {
		o.File, err = createTemp(filepath.Dir(target), filepath.Base(target))
	}
	if err != nil {
		return nil, err
	}
	return o, nil
}

// Commit puts the bytes in place: renames the synced staging file onto the
// target, or copies them into it when it is written through.
func (o *File) Commit() error {
	if o.done {
		return nil
	}
	o.done = true
	if o.through {
		defer os.Remove(o.File.Name())
		defer o.File.Close()
		return o.writeThrough()
	}
	err := o.File.Chmod(o.perm)
	if err == nil {
		err = o.File.Sync()
	}
	if err == nil {
		err = os.Rename(o.File.Name(), o.target)
	}
	if err != nil {
		os.Remove(o.File.Name())
	}
	if cerr := o.File.Close(); err == nil {
		err = cerr
	}
	return err
}

func (o *File) writeThrough() error {
	if _, err := o.File.Seek(0, io.SeekStart); err != nil {
		return err
	}
	// Opened by the path given, for the kernel to follow its links. No
	// O_CREATE: if the node went away meanwhile, fail rather than leave
	// a regular file in its place. O_TRUNC matters for a regular file
	// behind a /proc link only.
	t, err := os.OpenFile(o.path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return err
	}
	_, err = io.Copy(t, o.File)
	if cerr := t.Close(); err == nil {
		err = cerr
	}
	return err
}

// Abort discards the output; after Commit it does nothing.
func (o *File) Abort() {
	if o.done {
		return
	}
	o.done = true
	o.File.Close()
	os.Remove(o.File.Name())
}

// Undo removes the file a successful Commit created where nothing was
// before, to take back one output of several that did not all succeed. A
// target that existed (replaced or written through) is left alone.
func (o *File) Undo() error {
	if !o.done || o.existed || o.through {
		return nil
	}
	err := os.Remove(o.target)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// resolve follows the symlinks at the end of path and returns the path they
// lead to, with its file information; st is nil when nothing exists there
// (a missing file, or a dangling symlink's target, which writing creates).
// viaProc is set when the way there passes through /proc, whose links to
// open files (/dev/stdout, /dev/fd/N) only the kernel can follow.
func resolve(path string) (target string, st fs.FileInfo, viaProc bool, err error) {
	p := path
	for range 40 {
		// Resolve the directory first, so that a relative link target
		// with .. is joined to the real directory, as the kernel does.
		if dir, err := filepath.EvalSymlinks(filepath.Dir(p)); err == nil {
			p = filepath.Join(dir, filepath.Base(p))
		}
		viaProc = viaProc || strings.HasPrefix(p, "/proc/")
		st, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return p, nil, viaProc, nil
		}
		if err != nil {
			return "", nil, false, err
		}
		if st.Mode()&fs.ModeSymlink == 0 {
			return p, st, viaProc, nil
		}
		link, err := os.Readlink(p)
		if err != nil {
			return "", nil, false, err
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(filepath.Dir(p), link)
		}
		p = link
	}
	return "", nil, false, &fs.PathError{Op: "open", Path: path, Err: syscall.ELOOP}
}

// tempTag is in every staging file's name: "." + base + tempTag + pid +
// "." + random digits. The name is hidden, never matches a covkit or
// coverage.py input pattern (those start with the base name), never ends
// in .pth, and says which process owns it.
const tempTag = ".covkit-tmp."

// createTemp creates and locks the staging file for target base in dir,
// after removing the staging files for the same target that processes
// killed while writing left behind.
func createTemp(dir, base string) (*os.File, error) {
	prefix := "." + base + tempTag
	removeStale(dir, prefix)
	f, err := os.CreateTemp(dir, prefix+strconv.Itoa(os.Getpid())+".*")
	if err != nil {
		return nil, err
	}
	// The lock, held until Commit or Abort, tells a live writer from a
	// dead one where its pid means nothing (another pid namespace).
	lock(f)
	return f, nil
}

// removeStale removes the staging files (or directories, see Dir) named
// prefix+PID.* in dir whose owner is dead: a process killed (SIGKILL, OOM) between creating its
// staging file and renaming it leaves a hidden file as large as the output.
// A file is stale only when its pid names no live process here and nobody
// holds its lock: a pid that was reused keeps a file, and so does a live
// writer in a container, whose pid is another namespace's.
func removeStale(dir, prefix string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok || !e.Type().IsRegular() && !e.IsDir() {
			continue
		}
		pidText, _, ok := strings.Cut(rest, ".")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid <= 0 || pid == os.Getpid() || processAlive(pid) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		f, err := openNoFollow(p)
		if err != nil {
			continue
		}
		if tryLock(f) {
			os.RemoveAll(p)
		}
		f.Close()
	}
}
