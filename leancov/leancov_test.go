package leancov

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func sample() *File {
	return &File{
		Header: map[string]string{"python": "3.14.0", "pid": "42", "pylib": "/usr/lib/python3.14\x00/usr/lib/python"},
		Files: []Measured{
			{Path: "/proj/app.py", Module: "app", Lines: map[string][]int{"": {1, 2, 5, 1 << 20}}},
			{Path: "/proj/π/ü.py", Module: "", Lines: map[string][]int{"": {3}, "test_a|run": {3, 4}}},
			{Path: "/proj/no_lines.py", Module: "pkg.no_lines", Lines: map[string][]int{}},
		},
	}
}

func TestRoundTrip(t *testing.T) {
	f := sample()
	got, err := Decode(Encode(f))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(f, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if got.Python() != "3.14" {
		t.Errorf("Python() = %q", got.Python())
	}
	if l := got.List("pylib"); !cmp.Equal(l, []string{"/usr/lib/python3.14", "/usr/lib/python"}) {
		t.Errorf("List(pylib) = %q", l)
	}
}

// The bootstrap allocates ahead and threads fill slots out of order: zero
// slots are skipped, lines may come in any order and more than once.
func TestHolesAndDuplicates(t *testing.T) {
	b := Encode(&File{Header: map[string]string{}, Files: []Measured{{Path: "/a.py", Module: "a", Lines: map[string][]int{}}}})
	put := func(kind, id int, payload uint64) {
		b = binary.LittleEndian.AppendUint64(b, uint64(kind)<<60|uint64(id)<<40|payload)
	}
	put(KindLine, 0, 7)
	b = append(b, make([]byte, 64)...)
	put(KindLine, 0, 3)
	put(KindLine, 0, 7)
	b = append(b, make([]byte, 4096)...)
	f, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{3, 7}; len(f.Files) != 1 || !cmp.Equal(f.Files[0].Lines[""], want) {
		t.Errorf("files %+v, want lines %v", f.Files, want)
	}
}

// A process killed while naming a file leaves its name slots without the
// FILE slot: that file is left out (it can have no lines yet).
func TestUnnamedFile(t *testing.T) {
	b := Encode(sample())
	var out []byte
	out = append(out, b[:headerEnd(t, b)]...)
	for i := headerEnd(t, b); i < len(b); i += 8 {
		s := binary.LittleEndian.Uint64(b[i:])
		if s>>60 == KindFile && s>>40&0xFFFFF == 1 {
			continue
		}
		out = append(out, b[i:i+8]...)
	}
	f, err := Decode(out)
	if err != nil {
		t.Fatal(err)
	}
	if f.Unnamed != 1 || len(f.Files) != 2 || f.Files[1].Path != "/proj/no_lines.py" {
		t.Errorf("got %d unnamed, files %+v", f.Unnamed, f.Files)
	}
}

// Lines belong to the context of the last switch before them, named as
// coverage.py names a dynamic context under a static one.
func TestContexts(t *testing.T) {
	b := Encode(&File{Header: map[string]string{"context": "job"}, Files: []Measured{{Path: "/a.py", Module: "a", Lines: map[string][]int{}}}})
	put := func(kind, id int, payload uint64) {
		b = binary.LittleEndian.AppendUint64(b, uint64(kind)<<60|uint64(id)<<40|payload)
	}
	name := func(id int, s string) {
		for j := 0; j < len(s); j += 5 {
			var c [8]byte
			copy(c[:5], s[j:min(j+5, len(s))])
			put(KindCtxName, id, binary.LittleEndian.Uint64(c[:]))
		}
		put(KindContext, id, uint64(len(s)))
	}
	put(KindLine, 0, 1)
	name(1, "tests/test_x.py::test_one|run")
	put(KindSwitch, 1, 0)
	put(KindLine, 0, 2)
	put(KindLine, 0, 1)
	put(KindSwitch, 0, 0)
	put(KindLine, 0, 3)
	// A context whose naming was cut short: its switch and lines are dropped.
	put(KindCtxName, 2, 0x61)
	put(KindSwitch, 2, 0)
	put(KindLine, 0, 9)
	f, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]int{"job": {1, 3}, "job|tests/test_x.py::test_one|run": {1, 2}}
	if len(f.Files) != 1 || !cmp.Equal(f.Files[0].Lines, want) {
		t.Errorf("lines by context %v, want %v", f.Files[0].Lines, want)
	}
}

func headerEnd(t *testing.T, b []byte) int {
	t.Helper()
	n := 16 + int(binary.LittleEndian.Uint32(b[8:12]))
	return n + (8-n%8)%8
}

func TestDecodeErrors(t *testing.T) {
	for name, b := range map[string][]byte{
		"empty":           nil,
		"sqlite":          []byte("SQLite format 3\x00"),
		"short header":    []byte(Magic + "\x01\x00"),
		"header too long": append([]byte(Magic), 0xff, 0xff, 0, 0, 0, 0, 0, 0),
	} {
		if _, err := Decode(b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// A file cut anywhere decodes without panicking (a partial last slot is
// dropped).
func TestTruncated(t *testing.T) {
	b := Encode(sample())
	for n := len(Magic); n < len(b); n++ {
		Decode(b[:n])
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(Encode(sample()))
	seeds, _ := filepath.Glob("testdata/*.covkit")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := Decode(b)
		if err != nil {
			return
		}
		again, err := Decode(Encode(got))
		if err != nil {
			t.Fatalf("re-encoded file does not decode: %v", err)
		}
		if len(again.Files) != len(got.Files) {
			t.Fatalf("re-encoding changed the files: %d -> %d", len(got.Files), len(again.Files))
		}
	})
}
