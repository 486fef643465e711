package sqlitecov

// A read-only decoder of the SQLite 3 file format (https://sqlite.org/fileformat.html),
// enough to walk table b-trees of a database image held in memory. It is the
// fast path of Read: coverage.py data files are small, rollback-journal
// databases with a fixed schema, and decoding them directly is an order of
// magnitude faster than going through an SQL engine. Anything it does not
// expect (WAL mode, UTF-16 text, unfamiliar table definitions) makes it
// return ErrUnsupported and Read falls back to modernc.org/sqlite.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
)

const sqliteMagic = "SQLite format 3\x00"

// ErrUnsupported is returned by DecodeRaw for a file it leaves to the SQL
// engine: valid, perhaps, but not for the fast path. ReadFile, Read,
// ReadFileRaw and FileReader fall back by themselves.
var ErrUnsupported = errors.New("unsupported by the fast reader")

type image struct {
	buf      []byte
	pageSize int
	usable   int
	npages   int
	scratch  []byte // reassembly buffer for payloads that spill to overflow pages
	// spilled counts overflow bytes reassembled. In a sound file every
	// overflow page belongs to one cell, so the total stays below the file
	// size; a damaged file can point many cells at one chain.
	spilled int
}

func openImage(buf []byte) (*image, error) {
	if len(buf) == 0 {
		return nil, ErrEmpty
	}
	if len(buf) < 100 {
		if strings.HasPrefix(sqliteMagic, string(buf)) || strings.HasPrefix(string(buf), sqliteMagic) {
			return nil, fmt.Errorf("%w: %d bytes, shorter than an SQLite header", ErrTruncated, len(buf))
		}
		return nil, classifyForeign(buf)
	}
	if string(buf[:16]) != sqliteMagic {
		return nil, classifyForeign(buf)
	}
	ps := int(binary.BigEndian.Uint16(buf[16:]))
	if ps == 1 {
		ps = 65536
	}
	if ps < 512 || ps > 65536 || ps&(ps-1) != 0 {
		return nil, fmt.Errorf("%w: bad page size %d", ErrCorrupt, ps)
	}
	if buf[18] != 1 || buf[19] != 1 {
		return nil, ErrUnsupported // WAL mode or a future format
	}
	usable := ps - int(buf[20])
	if usable < 480 {
		return nil, fmt.Errorf("%w: bad reserved space %d", ErrCorrupt, buf[20])
	}
	if enc := binary.BigEndian.Uint32(buf[56:]); enc > 1 {
		return nil, ErrUnsupported // UTF-16 text
	}
	if len(buf)%ps != 0 {
		return nil, fmt.Errorf("%w: %d bytes is not a whole number of %d-byte pages", ErrTruncated, len(buf), ps)
	}
	np := len(buf) / ps
	if binary.BigEndian.Uint32(buf[24:]) == binary.BigEndian.Uint32(buf[92:]) {
		if h := int(binary.BigEndian.Uint32(buf[28:])); h > np {
			return nil, fmt.Errorf("%w: header says %d pages, file has %d", ErrTruncated, h, np)
		}
	}
	return &image{buf: buf, pageSize: ps, usable: usable, npages: np}, nil
}

func classifyForeign(buf []byte) error {
	if strings.HasPrefix(string(buf), "!coverage.py:") {
		return ErrJSON
	}
	return ErrNotSQLite
}

func (im *image) page(n int) ([]byte, error) {
	if n < 1 || n > im.npages {
		return nil, fmt.Errorf("%w: page %d out of range (1..%d)", ErrCorrupt, n, im.npages)
	}
	return im.buf[(n-1)*im.pageSize : n*im.pageSize], nil
}

// varint decodes an SQLite varint (1..9 bytes, big-endian, 7 bits a byte
// except the 9th which gives 8). n is 0 when b is too short.
func varint(b []byte) (v uint64, n int) {
	for i := 0; i < 8; i++ {
		if i >= len(b) {
			return 0, 0
		}
		c := b[i]
		v = v<<7 | uint64(c&0x7f)
		if c < 0x80 {
			return v, i + 1
		}
	}
	if len(b) < 9 {
		return 0, 0
	}
	return v<<8 | uint64(b[8]), 9
}

// scanTable walks the table b-tree rooted at page root in rowid order and
// calls fn with each row's rowid and record. rec may alias the image or a
// scratch buffer: it is valid only during the call.
func (im *image) scanTable(root int, fn func(rowid int64, rec []byte) error) error {
	return im.walkLeaves(root, func(pg []byte, ptrs, n int) error {
		for i := 0; i < n; i++ {
			off := int(binary.BigEndian.Uint16(pg[ptrs+2*i:]))
			if off >= len(pg) {
				return fmt.Errorf("%w: cell offset %d", ErrCorrupt, off)
			}
			rowid, rec, err := im.leafCell(pg, off)
			if err != nil {
				return err
			}
			if err := fn(rowid, rec); err != nil {
				return err
			}
		}
		return nil
	})
}

// walkLeaves walks the table b-tree rooted at page root and calls fn for
// each leaf page in key order with the page, the offset of its cell pointer
// array and its cell count (checked to fit the page).
func (im *image) walkLeaves(root int, fn func(pg []byte, ptrs, n int) error) error {
	type frame struct {
		pg   []byte
		hdr  int // offset of the b-tree page header within pg
		cell int // next cell index; ncells means the right-most pointer
		n    int
	}
	visited := 0
	var stack []frame
	push := func(pn int) error {
		visited++
		if visited > im.npages || len(stack) > 64 {
			return fmt.Errorf("%w: b-tree loop", ErrCorrupt)
		}
		pg, err := im.page(pn)
		if err != nil {
			return err
		}
		hdr := 0
		if pn == 1 {
			hdr = 100
		}
		if len(pg) < hdr+12 {
			return fmt.Errorf("%w: short page %d", ErrCorrupt, pn)
		}
		stack = append(stack, frame{pg: pg, hdr: hdr, n: int(binary.BigEndian.Uint16(pg[hdr+3:]))})
		return nil
	}
	if err := push(root); err != nil {
		return err
	}
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		pg, hdr := f.pg, f.hdr
		switch pg[hdr] {
		case 0x0d: // table leaf
			ptrs := hdr + 8
			if ptrs+2*f.n > len(pg) {
				return fmt.Errorf("%w: cell pointers overflow page", ErrCorrupt)
			}
			if err := fn(pg, ptrs, f.n); err != nil {
				return err
			}
			stack = stack[:len(stack)-1]
		case 0x05: // table interior
			if f.cell > f.n {
				stack = stack[:len(stack)-1]
				continue
			}
			var child int
			if f.cell == f.n {
				child = int(binary.BigEndian.Uint32(pg[hdr+8:]))
			} else {
				p := hdr + 12 + 2*f.cell
				if p+2 > len(pg) {
					return fmt.Errorf("%w: cell pointers overflow page", ErrCorrupt)
				}
				off := int(binary.BigEndian.Uint16(pg[p:]))
				if off+4 > len(pg) {
					return fmt.Errorf("%w: cell offset %d", ErrCorrupt, off)
				}
				child = int(binary.BigEndian.Uint32(pg[off:]))
			}
			f.cell++
			if err := push(child); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%w: page type %#x in a table b-tree", ErrCorrupt, pg[hdr])
		}
	}
	return nil
}

func (im *image) leafCell(pg []byte, off int) (int64, []byte, error) {
	b := pg[off:]
	psize, n := varint(b)
	if n == 0 {
		return 0, nil, fmt.Errorf("%w: bad cell", ErrCorrupt)
	}
	b = b[n:]
	rowid, n := varint(b)
	if n == 0 {
		return 0, nil, fmt.Errorf("%w: bad cell", ErrCorrupt)
	}
	b = b[n:]
	if psize > uint64(len(im.buf)) {
		return 0, nil, fmt.Errorf("%w: payload size %d", ErrCorrupt, psize)
	}
	p := int(psize)
	u := im.usable
	x := u - 35
	if p <= x {
		if p > len(b) {
			return 0, nil, fmt.Errorf("%w: payload overflows page", ErrCorrupt)
		}
		return int64(rowid), b[:p], nil
	}
	m := ((u-12)*32)/255 - 23
	local := m + (p-m)%(u-4)
	if local > x {
		local = m
	}
	if local+4 > len(b) {
		return 0, nil, fmt.Errorf("%w: payload overflows page", ErrCorrupt)
	}
	im.spilled += p - local
	if im.spilled > len(im.buf) {
		return 0, nil, fmt.Errorf("%w: overflow pages shared between cells", ErrCorrupt)
	}
	out := append(im.scratch[:0], b[:local]...)
	next := int(binary.BigEndian.Uint32(b[local:]))
	for hops := 0; len(out) < p; hops++ {
		if hops > im.npages {
			return 0, nil, fmt.Errorf("%w: overflow chain loop", ErrCorrupt)
		}
		op, err := im.page(next)
		if err != nil {
			return 0, nil, err
		}
		chunk := op[4:u]
		if rest := p - len(out); rest < len(chunk) {
			chunk = chunk[:rest]
		}
		out = append(out, chunk...)
		next = int(binary.BigEndian.Uint32(op))
	}
	im.scratch = out
	return int64(rowid), out, nil
}

// value is one decoded column of a record.
type value struct {
	kind byte // 0 NULL, 'i' integer, 'f' float, 't' text, 'b' blob
	i    int64
	f    float64
	b    []byte
}

// decodeRecord decodes up to len(dst) columns of rec into dst and returns how
// many columns the record has (columns past it read as NULL, as SQLite does
// for rows written before an ALTER TABLE ADD COLUMN).
func decodeRecord(rec []byte, dst []value) (int, error) {
	hlen, n := varint(rec)
	if n == 0 || hlen > uint64(len(rec)) || int(hlen) < n {
		return 0, fmt.Errorf("%w: bad record header", ErrCorrupt)
	}
	hdr := rec[n:hlen]
	body := rec[hlen:]
	col := 0
	for len(hdr) > 0 {
		st, n := varint(hdr)
		if n == 0 {
			return 0, fmt.Errorf("%w: bad record header", ErrCorrupt)
		}
		hdr = hdr[n:]
		var v value
		var size int
		switch {
		case st == 0:
		case st <= 6:
			size = [...]int{0, 1, 2, 3, 4, 6, 8}[st]
			if size > len(body) {
				return 0, fmt.Errorf("%w: record body too short", ErrCorrupt)
			}
			var x int64
			for _, c := range body[:size] {
				x = x<<8 | int64(c)
			}
			shift := 64 - 8*size
			v = value{kind: 'i', i: x << shift >> shift}
		case st == 7:
			size = 8
			if size > len(body) {
				return 0, fmt.Errorf("%w: record body too short", ErrCorrupt)
			}
			v = value{kind: 'f', f: math.Float64frombits(binary.BigEndian.Uint64(body))}
		case st == 8 || st == 9:
			v = value{kind: 'i', i: int64(st - 8)}
		case st >= 12:
			if (st-12)/2 > uint64(len(body)) {
				return 0, fmt.Errorf("%w: record body too short", ErrCorrupt)
			}
			size = int((st - 12) / 2)
			v = value{kind: 'b', b: body[:size]}
			if st&1 == 1 {
				v.kind = 't'
			}
		default:
			return 0, fmt.Errorf("%w: reserved serial type %d", ErrCorrupt, st)
		}
		body = body[size:]
		if col < len(dst) {
			dst[col] = v
		}
		col++
	}
	for i := col; i < len(dst); i++ {
		dst[i] = value{}
	}
	return col, nil
}

// column describes one column of a table as its CREATE TABLE declares it.
type column struct {
	name  string
	rowid bool // INTEGER PRIMARY KEY: stored as NULL, the value is the rowid
}

// columnCache remembers parsed CREATE TABLE statements: every data file
// of a corpus holds the same seven.
var columnCache sync.Map // string -> []column

// parseColumns extracts the column list of a CREATE TABLE statement. It
// understands what coverage.py writes (and reasonable variations); anything
// else returns ErrUnsupported. The result must not be modified.
func parseColumns(sql string) ([]column, error) {
	if c, ok := columnCache.Load(sql); ok {
		return c.([]column), nil
	}
	c, err := parseColumnsUncached(sql)
	if err == nil && len(sql) < 4096 {
		columnCache.Store(sql, c)
	}
	return c, err
}

func parseColumnsUncached(sql string) ([]column, error) {
	var sb strings.Builder
	for i := 0; i < len(sql); i++ {
		if sql[i] == '-' && i+1 < len(sql) && sql[i+1] == '-' {
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
			sb.WriteByte(' ')
			continue
		}
		sb.WriteByte(sql[i])
	}
	s := strings.ToLower(sb.String())
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open || strings.ContainsAny(s, `"'`+"`[") {
		return nil, ErrUnsupported
	}
	var items []string
	depth, start := 0, open+1
	for i := open + 1; i < end; i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				items = append(items, s[start:i])
				start = i + 1
			}
		}
	}
	items = append(items, s[start:end])
	var cols []column
	for _, it := range items {
		f := strings.Fields(it)
		if len(f) == 0 {
			return nil, ErrUnsupported
		}
		switch f[0] {
		case "unique", "foreign", "primary", "constraint", "check":
			continue
		}
		c := column{name: f[0]}
		rest := strings.Join(f[1:], " ")
		if strings.HasPrefix(rest, "integer primary key") && !strings.Contains(rest, "desc") {
			c.rowid = true
		}
		cols = append(cols, c)
	}
	return cols, nil
}
