package html

import (
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/covkit/covkit/report"
	"github.com/covkit/covkit/sqlitecov"
)

// LineContexts inverts one file's measurements: for each executed line, the
// contexts that executed it, sorted. With covkit's per-process contexts
// (covrun --contexts process) each context is a process's command line. For
// branch data a line counts as executed in a context when an arc of that
// context starts or ends on it.
func LineContexts(f *sqlitecov.File) map[int][]string {
	if f == nil {
		return nil
	}
	sets := map[int]map[string]bool{}
	add := func(l int, c string) {
		if l <= 0 {
			return
		}
		if sets[l] == nil {
			sets[l] = map[string]bool{}
		}
		sets[l][c] = true
	}
	for c, lines := range f.Lines {
		for _, l := range lines {
			add(l, c)
		}
	}
	for c, arcs := range f.Arcs {
		for _, a := range arcs {
			add(a[0], c)
			add(a[1], c)
		}
	}
	out := make(map[int][]string, len(sets))
	for l, s := range sets {
		cs := make([]string, 0, len(s))
		for c := range s {
			cs = append(cs, c)
		}
		sort.Strings(cs)
		out[l] = cs
	}
	return out
}

// DataContexts returns an Options.Contexts function that finds each report
// file's measurements in d (data already remapped by [paths], if the report
// remapped it) by file name: the data path as recorded, made absolute against
// dir, with .pyc/.pyo read as .py, symlinks resolved.
func DataContexts(d *sqlitecov.Data, dir string) func(f *report.File) map[int][]string {
	byName := map[string]*sqlitecov.File{}
	for _, p := range d.Paths() {
		src := p
		if strings.HasSuffix(src, ".pyc") || strings.HasSuffix(src, ".pyo") {
			src = src[:len(src)-1]
		}
		byName[src] = d.Files[p]
		abs := src
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(dir, abs)
		}
		byName[filepath.Clean(abs)] = d.Files[p]
		if r, err := filepath.EvalSymlinks(abs); err == nil {
			byName[r] = d.Files[p]
		}
	}
	var mu sync.Mutex
	return func(f *report.File) map[int][]string {
		mu.Lock()
		defer mu.Unlock()
		df := byName[f.Filename]
		if df == nil && !filepath.IsAbs(f.Filename) {
			df = byName[filepath.Join(dir, f.Filename)]
		}
		if df == nil && f.RelName != "" {
			// Data recorded elsewhere and remapped by [paths] for the
			// report: the one data path ending in the report name.
			suffix := "/" + strings.TrimPrefix(filepath.ToSlash(f.RelName), "/")
			for _, p := range d.Paths() {
				if strings.HasSuffix(filepath.ToSlash(p), suffix) {
					if df != nil {
						return nil // ambiguous
					}
					df = d.Files[p]
				}
			}
		}
		return LineContexts(df)
	}
}
