package sqlitecov

import (
	"errors"
	"fmt"
	"runtime/debug"
)

// FileReader reads many data files one after another, reusing its memory.
// On Unix it maps each file instead of copying it into memory, which saves
// a third of the CPU time of reading a large corpus. Not safe for
// concurrent use; Close releases the last file.
type FileReader struct {
	buf    []byte // read buffer, where mapping is not available
	mapped []byte // current mapping, unmapped by the next ReadRaw or Close
	arena  []byte // owned copies of the numbits of a mapped file
}

// ReadRaw reads the data file at path into r. If inspect is not nil it is
// called with the file's bytes (to hash them, say) while they are valid.
// Nothing in r points into the file afterwards, but r's numbits live in a
// buffer the next ReadRaw reuses: like bufio.Scanner's tokens, they are
// valid until then.
func (fr *FileReader) ReadRaw(path string, r *Raw, inspect func(content []byte)) (err error) {
	fr.unmap()
	f, st, err := openData(path)
	if err != nil {
		return err
	}
	defer f.Close()
	content, mapped := mapFile(f, st.Size())
	if !mapped || hotJournal(path) {
		if mapped {
			unmapFile(content)
		}
		fr.buf, err = readOpened(f, st, path, r, fr.buf)
		if err == nil && inspect != nil {
			inspect(fr.buf)
		}
		fr.ownNumbits(r)
		return err
	}
	fr.mapped = content
	// Another process truncating the file while it is mapped makes reads
	// fault (SIGBUS); turn that into an error for this file alone.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if e := recover(); e != nil {
			if _, ok := e.(interface{ Addr() uintptr }); ok {
				err = fmt.Errorf("%w: file shrank while being read", ErrTruncated)
				return
			}
			panic(e)
		}
	}()
	err = DecodeRaw(content, r)
	if errors.Is(err, ErrUnsupported) {
		err = readSQL(st, path, r)
	}
	if err == nil && inspect != nil {
		inspect(content)
	}
	fr.ownNumbits(r)
	return err
}

// ownNumbits copies the numbits in r, which alias the file, into the arena.
func (fr *FileReader) ownNumbits(r *Raw) {
	n := 0
	for _, lb := range r.LineBits {
		n += len(lb.Numbits)
	}
	if cap(fr.arena) < n {
		fr.arena = make([]byte, n)
	}
	a := fr.arena[:n]
	for i, lb := range r.LineBits {
		k := copy(a, lb.Numbits)
		r.LineBits[i].Numbits = a[:k:k]
		a = a[k:]
	}
}

// Close releases the last file read.
func (fr *FileReader) Close() error {
	fr.unmap()
	return nil
}

func (fr *FileReader) unmap() {
	if fr.mapped != nil {
		unmapFile(fr.mapped)
		fr.mapped = nil
	}
}
