// Package leancov owns the data format of covkit's lean engine: the file a
// measured process's sys.monitoring tracer (pth/bootstrap) writes through a
// memory mapping as it runs, so it is on disk however the process ends.
//
// A file is a header followed by 64-bit little-endian slots. The header is
// the magic "COVKITL\x01", a 32-bit length, four zero bytes and that many
// bytes of "key=value\n" text (padded to 8 bytes). Each slot describes
// itself: its kind in the top 4 bits, a file id in the next 20, and 40 bits
// of payload. A zero slot was never written (the file is allocated ahead,
// and a process may die between taking a slot and filling it):
//
//	1 LINE    payload: a line number
//	2 PATH    payload: the next 5 bytes of the file's path
//	3 MODULE  payload: the next 5 bytes of its module name ("" when the
//	          module is __main__ with no spec: derived from the path)
//	4 FILE    payload: path length << 20 | module name length
//	5 CTXNAME (a context id instead of a file id) the next 5 bytes of a
//	          dynamic context's name
//	6 CONTEXT (context id) payload: the name's length
//	7 SWITCH  (context id) lines from here on ran in that context; 0 is
//	          none (the process's static context alone)
//
// A file's PATH and MODULE slots come before its FILE slot, which comes
// before any of its LINE slots; a file id without a FILE slot was being
// named when the process died, and has no lines. Contexts likewise. Slots
// are in the order the process took them, so a LINE belongs to the context
// of the last SWITCH before it.
package leancov

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"strings"
)

// Magic starts every lean data file.
const Magic = "COVKITL\x01"

// FilePrefix starts the name of every lean data file (".covkit.HOST.pidN.XRANDx").
const FilePrefix = ".covkit."

// Slot kinds.
const (
	KindLine    = 1
	KindPath    = 2
	KindModule  = 3
	KindFile    = 4
	KindCtxName = 5
	KindContext = 6
	KindSwitch  = 7
)

// ErrNotLean says a file does not start with Magic.
var ErrNotLean = errors.New("not a covkit lean data file")

// File is one process's lean data.
type File struct {
	// Header holds the process's facts: python (version), impl, pid, ppid,
	// coverage (the coverage.py version whose rules the run follows), sel
	// (how the process chose files: default, source, all), pylib and third
	// (its interpreter's install directories, NUL-separated), cover_pylib,
	// and context (its static context, if the run labels processes).
	Header map[string]string
	// Files are the measured files, in the order the process met them.
	Files []Measured
	// Unnamed counts file ids whose naming the process did not finish.
	Unnamed int
}

// Measured is one file a process measured.
type Measured struct {
	Path   string // as the process resolved it: absolute, not canonical
	Module string // the module's dotted name; "" when it ran as __main__
	// Lines are the executed lines, sorted and distinct, by context, named
	// as coverage.py names them: the process's static context
	// (Header["context"], often ""), or "static|dynamic" for a dynamic
	// context it switched to ("dynamic" with no static context).
	Lines map[string][]int
}

// ContextName is the name coverage.py gives lines that ran in dynamic
// context dyn of a process whose static context is static.
func ContextName(static, dyn string) string {
	switch {
	case dyn == "":
		return static
	case static == "":
		return dyn
	}
	return static + "|" + dyn
}

// List returns a NUL-separated header value as a list.
func (f *File) List(key string) []string {
	var out []string
	for _, s := range strings.Split(f.Header[key], "\x00") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Python returns the measuring interpreter's "major.minor" version, "" if unknown.
func (f *File) Python() string {
	v := f.Header["python"]
	if i := strings.IndexByte(v, '.'); i >= 0 {
		if j := strings.IndexByte(v[i+1:], '.'); j >= 0 {
			return v[:i+1+j]
		}
	}
	return v
}

// IsLean reports whether b starts like a lean data file.
func IsLean(b []byte) bool { return bytes.HasPrefix(b, []byte(Magic)) }

// Decode decodes a lean data file.
func Decode(b []byte) (*File, error) {
	if !IsLean(b) {
		return nil, ErrNotLean
	}
	if len(b) < 16 {
		return nil, errors.New("lean data file: truncated header")
	}
	n := int(binary.LittleEndian.Uint32(b[8:12]))
	if n > len(b)-16 {
		return nil, errors.New("lean data file: truncated header")
	}
	f := &File{Header: parseHeader(b[16 : 16+n])}
	off := 16 + n
	off += (8 - off%8) % 8
	if off > len(b) {
		off = len(b)
	}
	decodeSlots(b[off:len(b)-(len(b)-off)%8], f)
	return f, nil
}

func parseHeader(b []byte) map[string]string {
	h := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			h[k] = v
		}
	}
	return h
}

// fileState gathers one file id's slots.
type fileState struct {
	path, module []byte
	lines        []uint64 // bitmap of lines run with no dynamic context: bit n of word n/64 is line n
	byCtx        map[int][]uint64
	pathLen      int
	modLen       int
	named        bool
}

// ctxState gathers one context id's slots.
type ctxState struct {
	name  []byte
	n     int
	named bool
}

// decoder holds what decodeSlots has gathered so far.
type decoder struct {
	files []*fileState
	ctxs  []*ctxState
	cur   int // the context of the lines now
}

func (d *decoder) file(id int) *fileState {
	for id >= len(d.files) {
		d.files = append(d.files, nil)
	}
	if d.files[id] == nil {
		d.files[id] = &fileState{path: make([]byte, 0, 96), lines: make([]uint64, 0, 8)}
	}
	return d.files[id]
}

func (d *decoder) ctx(id int) *ctxState {
	for id >= len(d.ctxs) {
		d.ctxs = append(d.ctxs, nil)
	}
	if d.ctxs[id] == nil {
		d.ctxs[id] = &ctxState{}
	}
	return d.ctxs[id]
}

func setBit(bm []uint64, n uint64) []uint64 {
	w := int(n / 64)
	if w >= len(bm) {
		bm = append(bm, make([]uint64, w+1-len(bm))...)
	}
	bm[w] |= 1 << (n % 64)
	return bm
}

func decodeSlots(b []byte, f *File) {
	// Most processes measure a few dozen files of a few hundred lines:
	// room for that up front keeps appends from growing slices slot by slot.
	d := &decoder{files: make([]*fileState, 0, 64)}
	var chunk [8]byte
	for i := 0; i+8 <= len(b); i += 8 {
		s := binary.LittleEndian.Uint64(b[i:])
		if s == 0 {
			continue
		}
		kind := int(s >> 60)
		id := int(s >> 40 & 0xFFFFF)
		payload := s & (1<<40 - 1)
		binary.LittleEndian.PutUint64(chunk[:], payload)
		switch kind {
		case KindLine:
			if payload >= 1<<24 {
				continue // no source file has 16 million lines
			}
			st := d.file(id)
			if d.cur == 0 {
				st.lines = setBit(st.lines, payload)
			} else {
				if st.byCtx == nil {
					st.byCtx = map[int][]uint64{}
				}
				st.byCtx[d.cur] = setBit(st.byCtx[d.cur], payload)
			}
		case KindPath:
			st := d.file(id)
			st.path = append(st.path, chunk[:5]...)
		case KindModule:
			st := d.file(id)
			st.module = append(st.module, chunk[:5]...)
		case KindFile:
			st := d.file(id)
			st.pathLen, st.modLen = int(payload>>20), int(payload&0xFFFFF)
			st.named = st.pathLen <= len(st.path) && st.modLen <= len(st.module)
		case KindCtxName:
			c := d.ctx(id)
			c.name = append(c.name, chunk[:5]...)
		case KindContext:
			c := d.ctx(id)
			c.n = int(payload & 0xFFFFF)
			c.named = c.n <= len(c.name)
		case KindSwitch:
			d.cur = id
		}
	}
	static := f.Header["context"]
	names := map[int]string{0: static}
	for id, c := range d.ctxs {
		if c != nil && c.named && id > 0 {
			names[id] = ContextName(static, string(c.name[:c.n]))
		}
	}
	for _, st := range d.files {
		if st == nil {
			continue
		}
		if !st.named {
			f.Unnamed++
			continue
		}
		m := Measured{Path: string(st.path[:st.pathLen]), Module: string(st.module[:st.modLen]), Lines: map[string][]int{}}
		if l := bitmapLines(st.lines); l != nil {
			m.Lines[static] = l
		}
		for id, bm := range st.byCtx {
			name, ok := names[id]
			if !ok {
				continue // a context whose naming the process did not finish
			}
			if l := bitmapLines(bm); l != nil {
				m.Lines[name] = union(m.Lines[name], l)
			}
		}
		f.Files = append(f.Files, m)
	}
}

// union merges two sorted, distinct line lists.
func union(a, b []int) []int {
	if a == nil {
		return b
	}
	out := append(slices.Clone(a), b...)
	slices.Sort(out)
	return slices.Compact(out)
}

// bitmapLines lists the set bits of a line bitmap, in order.
func bitmapLines(words []uint64) []int {
	n := 0
	for _, w := range words {
		n += bits.OnesCount64(w)
	}
	if n == 0 {
		return nil
	}
	out := make([]int, 0, n)
	for i, w := range words {
		for w != 0 {
			t := bits.TrailingZeros64(w)
			out = append(out, i*64+t)
			w &= w - 1
		}
	}
	return out
}

// Encode writes f as a lean data file, the way the bootstrap lays one out
// (for tests and fixtures; the bootstrap is the real writer).
func Encode(f *File) []byte {
	var text strings.Builder
	keys := make([]string, 0, len(f.Header))
	for k := range f.Header {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&text, "%s=%s\n", k, f.Header[k])
	}
	out := []byte(Magic)
	out = binary.LittleEndian.AppendUint32(out, uint32(text.Len()))
	out = append(out, 0, 0, 0, 0)
	out = append(out, text.String()...)
	for len(out)%8 != 0 {
		out = append(out, 0)
	}
	put := func(kind, id int, payload uint64) {
		out = binary.LittleEndian.AppendUint64(out, uint64(kind)<<60|uint64(id)<<40|payload)
	}
	chunks := func(kind, id int, s string) {
		for j := 0; j < len(s); j += 5 {
			var c [8]byte
			copy(c[:5], s[j:min(j+5, len(s))])
			put(kind, id, binary.LittleEndian.Uint64(c[:]))
		}
	}
	static := f.Header["context"]
	ctxID := map[string]int{}
	var names []string
	for _, m := range f.Files {
		for c := range m.Lines {
			if _, ok := ctxID[c]; !ok && c != static {
				ctxID[c] = 0
				names = append(names, c)
			}
		}
	}
	slices.Sort(names)
	for i, c := range names {
		ctxID[c] = i + 1
		dyn := c
		if static != "" {
			dyn = strings.TrimPrefix(c, static+"|")
		}
		chunks(KindCtxName, i+1, dyn)
		put(KindContext, i+1, uint64(len(dyn)))
	}
	for id, m := range f.Files {
		chunks(KindPath, id, m.Path)
		chunks(KindModule, id, m.Module)
		put(KindFile, id, uint64(len(m.Path))<<20|uint64(len(m.Module)))
	}
	for _, c := range append([]string{static}, names...) {
		put(KindSwitch, ctxID[c], 0)
		for id, m := range f.Files {
			for _, l := range m.Lines[c] {
				put(KindLine, id, uint64(l))
			}
		}
	}
	return out
}
