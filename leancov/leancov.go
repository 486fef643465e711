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
//
// A file's PATH and MODULE slots come before its FILE slot, which comes
// before any of its LINE slots; a file id without a FILE slot was being
// named when the process died, and has no lines.
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
	KindLine   = 1
	KindPath   = 2
	KindModule = 3
	KindFile   = 4
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
	Lines  []int  // executed lines, sorted, distinct
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
	lines        []uint64 // bitmap: bit n of word n/64 is line n
	pathLen      int
	modLen       int
	named        bool
}

func decodeSlots(b []byte, f *File) {
	// Most processes measure a few dozen files of a few hundred lines:
	// room for that up front keeps appends from growing slices slot by slot.
	byID := make([]*fileState, 0, 64)
	get := func(id int) *fileState {
		for id >= len(byID) {
			byID = append(byID, nil)
		}
		if byID[id] == nil {
			byID[id] = &fileState{path: make([]byte, 0, 96), lines: make([]uint64, 0, 8)}
		}
		return byID[id]
	}
	var chunk [8]byte
	for i := 0; i+8 <= len(b); i += 8 {
		s := binary.LittleEndian.Uint64(b[i:])
		if s == 0 {
			continue
		}
		kind := int(s >> 60)
		id := int(s >> 40 & 0xFFFFF)
		payload := s & (1<<40 - 1)
		switch kind {
		case KindLine:
			if payload >= 1<<24 {
				continue // no source file has 16 million lines
			}
			st := get(id)
			w := int(payload / 64)
			if w >= len(st.lines) {
				st.lines = append(st.lines, make([]uint64, w+1-len(st.lines))...)
			}
			st.lines[w] |= 1 << (payload % 64)
		case KindPath, KindModule:
			st := get(id)
			binary.LittleEndian.PutUint64(chunk[:], payload)
			if kind == KindPath {
				st.path = append(st.path, chunk[:5]...)
			} else {
				st.module = append(st.module, chunk[:5]...)
			}
		case KindFile:
			st := get(id)
			st.pathLen, st.modLen = int(payload>>20), int(payload&0xFFFFF)
			st.named = st.pathLen <= len(st.path) && st.modLen <= len(st.module)
		}
	}
	for _, st := range byID {
		if st == nil {
			continue
		}
		if !st.named {
			f.Unnamed++
			continue
		}
		f.Files = append(f.Files, Measured{
			Path:   string(st.path[:st.pathLen]),
			Module: string(st.module[:st.modLen]),
			Lines:  bitmapLines(st.lines),
		})
	}
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
	for id, m := range f.Files {
		chunks(KindPath, id, m.Path)
		chunks(KindModule, id, m.Module)
		put(KindFile, id, uint64(len(m.Path))<<20|uint64(len(m.Module)))
		for _, l := range m.Lines {
			put(KindLine, id, uint64(l))
		}
	}
	return out
}
