// Package infile opens files that covkit reads as data (data files, lean
// engine files, histories) so that what is checked is what is read: the
// open never waits for a FIFO's writer, and anything but a regular file is
// refused, on the open file, rather than read without end.
package infile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// ErrNotRegular says a path leads to something other than a regular file.
var ErrNotRegular = errors.New("not a regular file")

// Open opens path for reading if it is a regular file (after symlinks).
func Open(path string) (*os.File, fs.FileInfo, error) {
	f, err := openNonblock(path)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err == nil && !st.Mode().IsRegular() {
		err = NotRegular(st.Mode())
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, st, nil
}

// OpenAny opens path for reading, whatever it is, without waiting for a
// FIFO's writer: the caller checks what it opened.
func OpenAny(path string) (*os.File, error) { return openNonblock(path) }

// ReadAll reads the regular file at path into buf (grown as needed), no
// more than the size it had when opened.
func ReadAll(path string, buf []byte) ([]byte, error) {
	f, st, err := Open(path)
	if err != nil {
		return buf, err
	}
	defer f.Close()
	size := int(st.Size())
	if cap(buf) < size {
		buf = make([]byte, size)
	}
	n, err := io.ReadFull(f, buf[:size])
	if err != nil && err != io.ErrUnexpectedEOF {
		return buf, err
	}
	return buf[:n], nil
}

// NotRegular says what a path leads to instead of a regular file.
func NotRegular(m fs.FileMode) error {
	switch {
	case m.IsDir():
		return errors.New("is a directory")
	case m&fs.ModeNamedPipe != 0:
		return fmt.Errorf("%w (a FIFO)", ErrNotRegular)
	case m&fs.ModeCharDevice != 0:
		return fmt.Errorf("%w (a character device)", ErrNotRegular)
	case m&fs.ModeDevice != 0:
		return fmt.Errorf("%w (a block device)", ErrNotRegular)
	case m&fs.ModeSocket != 0:
		return fmt.Errorf("%w (a socket)", ErrNotRegular)
	}
	return ErrNotRegular
}
