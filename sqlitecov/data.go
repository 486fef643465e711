// Package sqlitecov owns coverage.py's data file format: the SQLite database
// (schema version 7, written by coverage.py 5.0 through 7.x) with tables
// meta, file, context, line_bits (numbits), arc and tracer.
//
// Data is a plain Go model of one data file. Read and ReadFile decode a
// file with a fast native decoder of the SQLite file format, falling back to
// modernc.org/sqlite for anything unusual; Write and WriteFile produce a file
// through modernc.org/sqlite that coverage.py reads as its own. Raw and
// DecodeRaw expose the tables row by row for the merge engine.
package sqlitecov

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
)

// Data is the content of one coverage.py data file.
type Data struct {
	// HasArcs is set for branch data, HasLines for line data. A file that
	// measured nothing has neither (its meta table has no has_arcs entry).
	HasArcs, HasLines bool
	// Meta holds the meta table except has_arcs, which HasArcs/HasLines
	// carry: typically "version" (of coverage.py), maybe "sys_argv", "when"
	// and "hash".
	Meta map[string]string
	// Files maps a measured file's path to its data.
	Files map[string]*File
	// Contexts lists every context in the context table, sorted, including
	// contexts that hold no data.
	Contexts []string
}

// File is the data measured for one source file.
type File struct {
	Path string
	// Tracer is the file tracer plugin that measured the file, "" for
	// Python's own tracer.
	Tracer string
	// Lines maps a context to its executed line numbers (sorted, unique).
	// Set for line data.
	Lines map[string][]int
	// Arcs maps a context to its executed arcs (sorted, unique). Set for
	// branch data. Negative numbers are code object entries and exits.
	Arcs map[string][][2]int
}

// NewData returns an empty Data.
func NewData() *Data {
	return &Data{Meta: map[string]string{}, Files: map[string]*File{}}
}

// Paths returns the measured file paths, sorted.
func (d *Data) Paths() []string {
	return slices.Sorted(maps.Keys(d.Files))
}

// File returns the data for path, creating an empty entry if needed.
func (d *Data) File(path string) *File {
	f := d.Files[path]
	if f == nil {
		f = &File{Path: path}
		if d.Files == nil {
			d.Files = map[string]*File{}
		}
		d.Files[path] = f
	}
	return f
}

// AllLines returns the executed lines over all contexts, sorted. For branch
// data they are derived from the arcs, as coverage.py's CoverageData.lines
// does: every positive arc end point.
func (f *File) AllLines() []int {
	var out []int
	if f.Arcs != nil {
		for _, arcs := range f.Arcs {
			for _, a := range arcs {
				if a[0] > 0 {
					out = append(out, a[0])
				}
				if a[1] > 0 {
					out = append(out, a[1])
				}
			}
		}
	} else {
		for _, ls := range f.Lines {
			out = append(out, ls...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// AllArcs returns the executed arcs over all contexts, sorted; nil for line
// data.
func (f *File) AllArcs() [][2]int {
	if f.Arcs == nil {
		return nil
	}
	out := [][2]int{}
	for _, arcs := range f.Arcs {
		out = append(out, arcs...)
	}
	slices.SortFunc(out, cmpArc)
	return slices.Compact(out)
}

func cmpArc(a, b [2]int) int {
	if c := cmp.Compare(a[0], b[0]); c != 0 {
		return c
	}
	return cmp.Compare(a[1], b[1])
}

// KindError reports line data combined with branch data.
type KindError struct{ HasArcs bool }

func (e *KindError) Error() string {
	if e.HasArcs {
		return "can't combine statement coverage data with branch data"
	}
	return "can't combine branch coverage data with statement data"
}

// TracerError reports two different file tracers for one file.
type TracerError struct{ Path, This, Other string }

func (e *TracerError) Error() string {
	return fmt.Sprintf("conflicting file tracer name for %q: %q vs %q", e.Path, e.This, e.Other)
}

// Update adds other's data to d, as coverage.py's CoverageData.update does:
// files (renamed by mapPath when not nil), contexts, lines and arcs are
// unioned, tracers must agree, and line data cannot join branch data.
func (d *Data) Update(other *Data, mapPath func(string) string) error {
	if d.HasLines && other.HasArcs {
		return &KindError{HasArcs: false}
	}
	if d.HasArcs && other.HasLines {
		return &KindError{HasArcs: true}
	}
	if d.Files == nil {
		d.Files = map[string]*File{}
	}
	if d.Meta == nil {
		d.Meta = map[string]string{}
	}
	measured, err := d.joinMeasured(other, mapPath)
	if err != nil {
		return err
	}
	mapped := make(map[string]string, len(other.Files))
	for p, of := range other.Files {
		np := p
		if mapPath != nil {
			np = mapPath(p)
		}
		mapped[p] = np
		if f := d.Files[np]; f != nil && f.Tracer != of.Tracer {
			return &TracerError{Path: np, This: f.Tracer, Other: of.Tracer}
		}
	}
	for _, p := range slices.Sorted(maps.Keys(other.Files)) {
		of := other.Files[p]
		f := d.File(mapped[p])
		f.Tracer = of.Tracer
		for ctx, ls := range of.Lines {
			if f.Lines == nil {
				f.Lines = map[string][]int{}
			}
			f.Lines[ctx] = unionInts(f.Lines[ctx], ls)
		}
		for ctx, as := range of.Arcs {
			if f.Arcs == nil {
				f.Arcs = map[string][][2]int{}
			}
			merged := append(append([][2]int{}, f.Arcs[ctx]...), as...)
			slices.SortFunc(merged, cmpArc)
			f.Arcs[ctx] = slices.Compact(merged)
		}
		if other.HasArcs && f.Arcs == nil {
			f.Arcs = map[string][][2]int{}
		}
		if other.HasLines && f.Lines == nil {
			f.Lines = map[string][]int{}
		}
	}
	d.HasArcs = d.HasArcs || other.HasArcs
	d.HasLines = d.HasLines || other.HasLines
	if len(other.Contexts) > 0 {
		d.Contexts = slices.Compact(slices.Sorted(slices.Values(append(slices.Clip(d.Contexts), other.Contexts...))))
	}
	if _, ok := d.Meta["version"]; !ok && other.Meta["version"] != "" {
		d.Meta["version"] = other.Meta["version"]
	}
	if measured != nil {
		d.SetMeasured(measured)
	}
	return nil
}

// joinMeasured is what measured d once other is added: nil when neither
// records more than coverage.py's version, which the meta table keeps.
func (d *Data) joinMeasured(other *Data, mapPath func(string) string) ([]Source, error) {
	_, dRec := d.Meta[MeasuredKey]
	_, oRec := other.Meta[MeasuredKey]
	empty := len(d.Files) == 0 && len(d.Meta) == 0
	dv, ov := d.Meta["version"], other.Meta["version"]
	if !dRec && !oRec && (empty || dv == ov || ov == "") {
		return nil, nil
	}
	var parts []MeasuredPart
	if !empty {
		ds, err := d.Measured()
		if err != nil {
			return nil, err
		}
		parts = append(parts, MeasuredPart{Sources: ds, Files: d.Paths()})
	}
	os, err := other.Measured()
	if err != nil {
		return nil, err
	}
	files := other.Paths()
	if mapPath != nil {
		for i, f := range files {
			files[i] = mapPath(f)
		}
	}
	return JoinMeasured(append(parts, MeasuredPart{Sources: os, Files: files, MapPath: mapPath})), nil
}

func unionInts(a, b []int) []int {
	out := append(append([]int{}, a...), b...)
	slices.Sort(out)
	return slices.Compact(out)
}

// FromRaw builds a Data from a file's rows. Rows naming unknown file or
// context ids are dropped, as coverage.py's joins drop them.
func FromRaw(r *Raw) (*Data, error) {
	d := NewData()
	for k, v := range r.Meta {
		if k != "has_arcs" {
			d.Meta[k] = v
		}
	}
	switch r.HasArcs() {
	case 1:
		d.HasArcs = true
	case 0:
		d.HasLines = true
	}
	files := make(map[int64]*File, len(r.Files))
	for _, rf := range r.Files {
		f := d.File(rf.Path)
		if d.HasArcs {
			f.Arcs = map[string][][2]int{}
		} else if d.HasLines {
			f.Lines = map[string][]int{}
		}
		files[rf.ID] = f
	}
	ctxs := make(map[int64]string, len(r.Contexts))
	for _, c := range r.Contexts {
		ctxs[c.ID] = c.Context
		d.Contexts = append(d.Contexts, c.Context)
	}
	slices.Sort(d.Contexts)
	d.Contexts = slices.Compact(d.Contexts)
	type fc struct {
		f *File
		c string
	}
	bits := map[fc][]byte{}
	for _, lb := range r.LineBits {
		f, ok1 := files[lb.FileID]
		c, ok2 := ctxs[lb.ContextID]
		if !ok1 || !ok2 {
			continue
		}
		k := fc{f, c}
		bits[k] = UnionNumbits(bits[k], lb.Numbits)
	}
	for k, nb := range bits {
		if k.f.Lines == nil {
			k.f.Lines = map[string][]int{}
		}
		k.f.Lines[k.c] = DecodeNumbits(nb)
	}
	for _, a := range r.Arcs {
		f, ok1 := files[a.FileID]
		c, ok2 := ctxs[a.ContextID]
		if !ok1 || !ok2 {
			continue
		}
		if f.Arcs == nil {
			f.Arcs = map[string][][2]int{}
		}
		f.Arcs[c] = append(f.Arcs[c], [2]int{int(a.From), int(a.To)})
	}
	for _, f := range d.Files {
		for c, as := range f.Arcs {
			slices.SortFunc(as, cmpArc)
			f.Arcs[c] = slices.Compact(as)
		}
	}
	for _, t := range r.Tracers {
		if f, ok := files[t.FileID]; ok {
			f.Tracer = t.Tracer
		}
	}
	return d, nil
}

// hasArcsMeta is the has_arcs meta value d should carry ("" for none).
func (d *Data) hasArcsMeta() string {
	switch {
	case d.HasArcs:
		return strconv.Itoa(1)
	case d.HasLines:
		return strconv.Itoa(0)
	}
	return ""
}
