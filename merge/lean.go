package merge

import (
	"path/filepath"
	"strings"
	"sync"

	"github.com/covkit/covkit/filesel"
	"github.com/covkit/covkit/internal/infile"
	"github.com/covkit/covkit/leancov"
	"github.com/covkit/covkit/pathmap"
	"github.com/covkit/covkit/sqlitecov"
)

// isLean reports whether path names a lean engine data file.
func isLean(path string) bool {
	return strings.HasPrefix(filepath.Base(path), leancov.FilePrefix)
}

// leanReader turns lean data files into coverage.py line data. It is
// shared by the merge's workers: a file measured by many processes is
// resolved (symlinks) and selected once.
type leanReader struct {
	sel *filesel.Selector
	mu  sync.Mutex
	// kept caches, per (recorded path, module, interpreter facts), the
	// canonical path if the file is kept, "" if not.
	kept map[leanKey]string
}

type leanKey struct{ path, module, pylib, third string }

func newLeanReader(sel *filesel.Selector) *leanReader {
	return &leanReader{sel: sel, kept: map[leanKey]string{}}
}

// read reads a lean data file into r as the coverage.py line data it
// stands for: canonical paths, only the files the selector keeps (all
// without one), the process's static context if it has one.
func (lr *leanReader) read(path string, r *sqlitecov.Raw, inspect func([]byte), buf *[]byte) error {
	b, err := infile.ReadAll(path, *buf)
	*buf = b
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
	lr.raw(f, r)
	return nil
}

// resolve returns the canonical path of m, "" if the selector drops it.
func (lr *leanReader) resolve(m leancov.Measured, f *leancov.File) string {
	k := leanKey{m.Path, m.Module, f.Header["pylib"], f.Header["third"]}
	lr.mu.Lock()
	p, ok := lr.kept[k]
	lr.mu.Unlock()
	if ok {
		return p
	}
	p = pathmap.AbsFile(m.Path, "/")
	if lr.sel != nil && !lr.sel.Keep(p, m.Module, filesel.Interp{Pylib: f.List("pylib"), Third: f.List("third")}) {
		p = ""
	}
	lr.mu.Lock()
	lr.kept[k] = p
	lr.mu.Unlock()
	return p
}

// raw fills r (reset first) with the line data of lean file f.
func (lr *leanReader) raw(f *leancov.File, r *sqlitecov.Raw) {
	r.Reset()
	if r.Meta == nil {
		r.Meta = map[string]string{}
	}
	r.SchemaVersion = sqlitecov.SchemaVersion
	fileIDs := map[string]int64{}
	ctxIDs := map[string]int64{}
	lines := map[[2]int64][]int{}
	for _, m := range f.Files {
		p := lr.resolve(m, f)
		if p == "" {
			continue
		}
		fid, ok := fileIDs[p]
		if !ok {
			fid = int64(len(r.Files) + 1)
			fileIDs[p] = fid
			r.Files = append(r.Files, sqlitecov.RawFile{ID: fid, Path: p})
		}
		for ctx, ls := range m.Lines {
			cid, ok := ctxIDs[ctx]
			if !ok {
				cid = int64(len(r.Contexts) + 1)
				ctxIDs[ctx] = cid
				r.Contexts = append(r.Contexts, sqlitecov.RawContext{ID: cid, Context: ctx})
			}
			k := [2]int64{fid, cid}
			lines[k] = append(lines[k], ls...)
		}
	}
	if len(r.Files) == 0 {
		return
	}
	r.Meta["has_arcs"] = "0"
	// What measured: covkit's engine, following the rules of the run's
	// coverage.py, on this interpreter.
	d := sqlitecov.Data{}
	d.SetMeasured([]sqlitecov.Source{{Python: f.Python(), Coverage: f.Header["coverage"], Engine: sqlitecov.EngineCovkit}})
	r.Meta[sqlitecov.MeasuredKey] = d.Meta[sqlitecov.MeasuredKey]
	for k, ls := range lines {
		r.LineBits = append(r.LineBits, sqlitecov.RawLineBits{FileID: k[0], ContextID: k[1], Numbits: sqlitecov.EncodeNumbits(ls)})
	}
}
