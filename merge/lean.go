package merge

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/covkit/covkit/filesel"
	"github.com/covkit/covkit/leancov"
	"github.com/covkit/covkit/pathmap"
	"github.com/covkit/covkit/sqlitecov"
)

// isLean reports whether path names a lean engine data file.
func isLean(path string) bool {
	return strings.HasPrefix(filepath.Base(path), leancov.FilePrefix)
}

// readLean reads a lean data file into r as the coverage.py line data it
// stands for: canonical paths, only the files sel keeps (all without a
// selector), the process's static context if it has one.
func readLean(path string, r *sqlitecov.Raw, sel *filesel.Selector, inspect func([]byte)) error {
	b, err := readRegular(path)
	if err != nil {
		return err
	}
	if inspect != nil {
		inspect(b)
	}
	f, err := leancov.Decode(b)
	if err != nil {
		return err
	}
	LeanRaw(f, sel, r)
	return nil
}

// LeanRaw fills r (reset first) with the line data of lean file f that sel
// keeps (every file without a selector).
func LeanRaw(f *leancov.File, sel *filesel.Selector, r *sqlitecov.Raw) {
	r.Reset()
	if r.Meta == nil {
		r.Meta = map[string]string{}
	}
	r.SchemaVersion = sqlitecov.SchemaVersion
	in := filesel.Interp{Pylib: f.List("pylib"), Third: f.List("third")}
	ids := map[string]int64{}
	var lines [][]int
	for _, m := range f.Files {
		p := pathmap.AbsFile(m.Path, "/")
		if sel != nil && !sel.Keep(p, m.Module, in) {
			continue
		}
		id, ok := ids[p]
		if !ok {
			id = int64(len(r.Files) + 1)
			ids[p] = id
			r.Files = append(r.Files, sqlitecov.RawFile{ID: id, Path: p})
			lines = append(lines, nil)
		}
		lines[id-1] = append(lines[id-1], m.Lines...)
	}
	if len(r.Files) == 0 {
		return
	}
	r.Meta["has_arcs"] = "0"
	r.Meta["covkit_engine"] = "lean"
	r.Meta["covkit_python"] = f.Header["python"]
	r.Contexts = append(r.Contexts, sqlitecov.RawContext{ID: 1, Context: f.Header["context"]})
	for i, ls := range lines {
		r.LineBits = append(r.LineBits, sqlitecov.RawLineBits{FileID: int64(i + 1), ContextID: 1, Numbits: sqlitecov.EncodeNumbits(ls)})
	}
}

// readRegular reads a regular file whole, never blocking on a FIFO or
// reading a device without end.
func readRegular(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file")
	}
	b := make([]byte, st.Size())
	n, err := io.ReadFull(f, b)
	if err != nil && err != io.ErrUnexpectedEOF {
		return nil, err
	}
	return b[:n], nil
}
