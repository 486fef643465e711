package sqlitecov

import (
	"encoding/binary"
	"fmt"
	"strconv"
)

// SchemaVersion is the coverage.py data schema this package reads and
// writes: version 7, used by coverage.py 5.0 through 7.x.
const SchemaVersion = 7

// Raw is a data file's tables as stored, ids and all. It is the low-level
// form the merge engine consumes without building maps per input; most
// callers want Data. Reset and reuse one Raw to keep allocations down.
type Raw struct {
	SchemaVersion int
	Meta          map[string]string
	Files         []RawFile
	Contexts      []RawContext
	LineBits      []RawLineBits
	Arcs          []RawArc
	Tracers       []RawTracer
}

// RawFile is a row of the file table.
type RawFile struct {
	ID   int64
	Path string
}

// RawContext is a row of the context table.
type RawContext struct {
	ID      int64
	Context string
}

// RawLineBits is a row of the line_bits table. Numbits may alias the buffer
// given to DecodeRaw.
type RawLineBits struct {
	FileID, ContextID int64
	Numbits           []byte
}

// RawArc is a row of the arc table.
type RawArc struct {
	FileID, ContextID int64
	From, To          int32
}

// RawTracer is a row of the tracer table.
type RawTracer struct {
	FileID int64
	Tracer string
}

// Reset empties r, keeping its capacity.
func (r *Raw) Reset() {
	r.SchemaVersion = 0
	clear(r.Meta)
	r.Files = r.Files[:0]
	r.Contexts = r.Contexts[:0]
	r.LineBits = r.LineBits[:0]
	r.Arcs = r.Arcs[:0]
	r.Tracers = r.Tracers[:0]
}

// HasArcs reports what the meta table says: 1 for branch data, 0 for line
// data, -1 when the file has no has_arcs entry (nothing was measured).
func (r *Raw) HasArcs() int {
	v, ok := r.Meta["has_arcs"]
	if !ok {
		return -1
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		// coverage.py would fail on int(); treat any other text as a flag.
		if v == "" {
			return 0
		}
		return 1
	}
	if n != 0 {
		return 1
	}
	return 0
}

// DecodeRaw decodes a coverage.py data file image into r (which it resets).
// Numbits in r alias buf. It does not fall back to an SQL engine: an error
// wrapping ErrUnsupported means "use ReadFileRaw or Read instead".
func DecodeRaw(buf []byte, r *Raw) error {
	r.Reset()
	if r.Meta == nil {
		r.Meta = map[string]string{}
	}
	im, err := openImage(buf)
	if err != nil {
		return err
	}
	tables, err := schemaTables(im)
	if err != nil {
		return err
	}
	if _, ok := tables["coverage_schema"]; !ok {
		return fmt.Errorf("%w (no coverage_schema table)", ErrNotCoverage)
	}
	sc := &rawScanner{im: im, tables: tables}
	if err := sc.schemaVersion(r); err != nil {
		return err
	}
	for _, step := range []func(*Raw) error{sc.meta, sc.files, sc.contexts, sc.lineBits, sc.arcs, sc.tracers} {
		if err := step(r); err != nil {
			return err
		}
	}
	return nil
}

// rawTable is a table of the data file: its root page and columns.
type rawTable struct {
	root int
	cols []column
}

// schemaTables reads the schema (sqlite_schema) for coverage.py's tables.
func schemaTables(im *image) (map[string]rawTable, error) {
	tables := map[string]rawTable{}
	var vals [5]value
	err := im.scanTable(1, func(_ int64, rec []byte) error {
		if _, err := decodeRecord(rec, vals[:]); err != nil {
			return err
		}
		if string(vals[0].b) != "table" || vals[3].kind != 'i' {
			return nil
		}
		name := string(vals[1].b)
		switch name {
		case "coverage_schema", "meta", "file", "context", "line_bits", "arc", "tracer":
		default:
			return nil
		}
		cols, err := parseColumns(string(vals[4].b))
		if err != nil {
			return err
		}
		tables[name] = rawTable{root: int(vals[3].i), cols: cols}
		return nil
	})
	return tables, err
}

// rawScanner reads the rows of coverage.py's tables, one record at a time.
type rawScanner struct {
	im     *image
	tables map[string]rawTable
	row    [8]value
}

// pos finds the record index of each wanted column; -1 marks the rowid.
func (sc *rawScanner) pos(t string, names ...string) ([]int, error) {
	tb, ok := sc.tables[t]
	if !ok {
		return nil, fmt.Errorf("%w (no %s table)", ErrNotCoverage, t)
	}
	out := make([]int, len(names))
	for i, n := range names {
		out[i] = -2
		for j, c := range tb.cols {
			if c.name == n {
				out[i] = j
				if c.rowid {
					out[i] = -1
				}
			}
		}
		if out[i] == -2 {
			return nil, fmt.Errorf("%w (table %s has no column %s)", ErrNotCoverage, t, n)
		}
	}
	return out, nil
}

// get is column p of the current row.
func (sc *rawScanner) get(rowid int64, p int) value {
	if p == -1 {
		return value{kind: 'i', i: rowid}
	}
	return sc.row[p]
}

// scan calls fn for each row of table t, with the positions of the named
// columns.
func (sc *rawScanner) scan(t string, names []string, fn func(rowid int64, p []int) error) error {
	p, err := sc.pos(t, names...)
	if err != nil {
		return err
	}
	if len(sc.tables[t].cols) > len(sc.row) {
		return ErrUnsupported
	}
	return sc.im.scanTable(sc.tables[t].root, func(rowid int64, rec []byte) error {
		if _, err := decodeRecord(rec, sc.row[:]); err != nil {
			return err
		}
		return fn(rowid, p)
	})
}

func (sc *rawScanner) schemaVersion(r *Raw) error {
	version := -1
	err := sc.scan("coverage_schema", []string{"version"}, func(rowid int64, p []int) error {
		if v := sc.get(rowid, p[0]); version == -1 && v.kind == 'i' {
			version = int(v.i)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if version == -1 {
		return fmt.Errorf("%w (no schema version)", ErrNotCoverage)
	}
	r.SchemaVersion = version
	if version != SchemaVersion {
		return fmt.Errorf("%w: version %d, need %d", ErrSchema, version, SchemaVersion)
	}
	return nil
}

func (sc *rawScanner) meta(r *Raw) error {
	return sc.scan("meta", []string{"key", "value"}, func(rowid int64, p []int) error {
		k, v := sc.get(rowid, p[0]), sc.get(rowid, p[1])
		r.Meta[string(k.b)] = text(v)
		return nil
	})
}

func (sc *rawScanner) files(r *Raw) error {
	return sc.scan("file", []string{"id", "path"}, func(rowid int64, p []int) error {
		id, path := sc.get(rowid, p[0]), sc.get(rowid, p[1])
		if id.kind != 'i' || (path.kind != 't' && path.kind != 'b') {
			return ErrUnsupported
		}
		r.Files = append(r.Files, RawFile{ID: id.i, Path: string(path.b)})
		return nil
	})
}

func (sc *rawScanner) contexts(r *Raw) error {
	return sc.scan("context", []string{"id", "context"}, func(rowid int64, p []int) error {
		id, c := sc.get(rowid, p[0]), sc.get(rowid, p[1])
		if id.kind != 'i' || (c.kind != 't' && c.kind != 'b') {
			return ErrUnsupported
		}
		r.Contexts = append(r.Contexts, RawContext{ID: id.i, Context: string(c.b)})
		return nil
	})
}

func (sc *rawScanner) lineBits(r *Raw) error {
	return sc.scan("line_bits", []string{"file_id", "context_id", "numbits"}, func(rowid int64, p []int) error {
		f, c, nb := sc.get(rowid, p[0]), sc.get(rowid, p[1]), sc.get(rowid, p[2])
		if f.kind != 'i' || c.kind != 'i' || (nb.kind != 'b' && nb.kind != 0) {
			return ErrUnsupported
		}
		r.LineBits = append(r.LineBits, RawLineBits{FileID: f.i, ContextID: c.i, Numbits: nb.b})
		return nil
	})
}

// arcs reads the arc table, by the fast path of scanArcs when it can.
func (sc *rawScanner) arcs(r *Raw) error {
	return scanArcs(sc.im, sc.tables["arc"].root, sc.tables["arc"].cols, r, func() error {
		return sc.scan("arc", []string{"file_id", "context_id", "fromno", "tono"}, func(rowid int64, p []int) error {
			f, c, a, b := sc.get(rowid, p[0]), sc.get(rowid, p[1]), sc.get(rowid, p[2]), sc.get(rowid, p[3])
			if f.kind != 'i' || c.kind != 'i' || a.kind != 'i' || b.kind != 'i' ||
				a.i != int64(int32(a.i)) || b.i != int64(int32(b.i)) {
				return ErrUnsupported
			}
			r.Arcs = append(r.Arcs, RawArc{FileID: f.i, ContextID: c.i, From: int32(a.i), To: int32(b.i)})
			return nil
		})
	})
}

func (sc *rawScanner) tracers(r *Raw) error {
	return sc.scan("tracer", []string{"file_id", "tracer"}, func(rowid int64, p []int) error {
		f, t := sc.get(rowid, p[0]), sc.get(rowid, p[1])
		if f.kind != 'i' {
			return ErrUnsupported
		}
		r.Tracers = append(r.Tracers, RawTracer{FileID: f.i, Tracer: text(t)})
		return nil
	})
}

func text(v value) string {
	switch v.kind {
	case 't', 'b':
		return string(v.b)
	case 'i':
		return strconv.FormatInt(v.i, 10)
	case 'f':
		return strconv.FormatFloat(v.f, 'g', -1, 64)
	}
	return ""
}

// scanArcs reads the arc table, the bulk of branch data, with a decoder
// specialised for coverage.py's layout (four integer columns in declaration
// order). Anything else goes to the general path, slow.
func scanArcs(im *image, root int, cols []column, r *Raw, slow func() error) error {
	if len(cols) != 4 || cols[0].name != "file_id" || cols[1].name != "context_id" ||
		cols[2].name != "fromno" || cols[3].name != "tono" || cols[0].rowid || cols[1].rowid || cols[2].rowid || cols[3].rowid {
		return slow()
	}
	fast := true
	maxLocal := im.usable - 35
	err := im.walkLeaves(root, func(pg []byte, ptrs, n int) error {
		for i := 0; i < n; i++ {
			off := int(binary.BigEndian.Uint16(pg[ptrs+2*i:]))
			if off+2 > len(pg) {
				return fmt.Errorf("%w: cell offset %d", ErrCorrupt, off)
			}
			// Cell: payload size and rowid varints (one byte each for
			// every arc row coverage.py writes, but check), then the record.
			var rec []byte
			if psize := int(pg[off]); psize < 0x80 && psize <= maxLocal {
				b := pg[off+1:]
				// The rowid: one or two bytes for the first 16,383 rows.
				k := 1
				if b[0] >= 0x80 {
					if len(b) > 1 && b[1] < 0x80 {
						k = 2
					} else if _, k = varint(b); k == 0 {
						return fmt.Errorf("%w: bad cell", ErrCorrupt)
					}
				}
				if k+psize > len(b) {
					return fmt.Errorf("%w: bad cell", ErrCorrupt)
				}
				rec = b[k : k+psize]
			} else {
				var err error
				if _, rec, err = im.leafCell(pg, off); err != nil {
					return err
				}
			}
			v, ok := int4(rec)
			if !ok || v[2] != int64(int32(v[2])) || v[3] != int64(int32(v[3])) {
				fast = false
				return ErrUnsupported
			}
			r.Arcs = append(r.Arcs, RawArc{FileID: v[0], ContextID: v[1], From: int32(v[2]), To: int32(v[3])})
		}
		return nil
	})
	if !fast {
		r.Arcs = r.Arcs[:0]
		return slow()
	}
	return err
}

// int4 decodes a record of exactly four integer columns whose header fits
// in single-byte varints, the shape of every arc row coverage.py writes.
func int4(rec []byte) (v [4]int64, ok bool) {
	if len(rec) < 5 || rec[0] != 5 {
		return v, false
	}
	hdr, body := rec[1:5], rec[5:]
	for i, st := range hdr {
		switch st {
		case 1:
			if len(body) < 1 {
				return v, false
			}
			v[i] = int64(int8(body[0]))
			body = body[1:]
		case 2:
			if len(body) < 2 {
				return v, false
			}
			v[i] = int64(int16(uint16(body[0])<<8 | uint16(body[1])))
			body = body[2:]
		case 8, 9:
			v[i] = int64(st - 8)
		case 3, 4, 5, 6:
			size := int(intSizes[st])
			if size > len(body) {
				return v, false
			}
			var x int64
			if body[0]&0x80 != 0 {
				x = -1
			}
			for _, c := range body[:size] {
				x = x<<8 | int64(c)
			}
			v[i] = x
			body = body[size:]
		default:
			return v, false
		}
	}
	return v, true
}

var intSizes = [7]uint8{0, 1, 2, 3, 4, 6, 8}
