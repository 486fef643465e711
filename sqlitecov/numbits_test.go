package sqlitecov

import (
	"bytes"
	"os"
	"slices"
	"testing"
)

func TestNumbits(t *testing.T) {
	tests := []struct {
		nums []int
		bits []byte
	}{
		{nil, []byte{}},
		{[]int{0}, []byte{0x01}},
		{[]int{1, 2, 3}, []byte{0x0e}},
		{[]int{7, 8}, []byte{0x80, 0x01}},
		{[]int{17}, []byte{0, 0, 0x02}},
		{[]int{1, 9, 10, 100}, append(append([]byte{0x02, 0x06}, make([]byte, 10)...), 0x10)},
	}
	for _, tt := range tests {
		if got := EncodeNumbits(tt.nums); !bytes.Equal(got, tt.bits) {
			t.Errorf("EncodeNumbits(%v) = %x, want %x", tt.nums, got, tt.bits)
		}
		want := tt.nums
		if want == nil {
			want = []int{}
		}
		if got := DecodeNumbits(tt.bits); !slices.Equal(got, want) {
			t.Errorf("DecodeNumbits(%x) = %v, want %v", tt.bits, got, want)
		}
	}
	u := UnionNumbits([]byte{0x01}, []byte{0x02, 0x80})
	if !bytes.Equal(u, []byte{0x03, 0x80}) {
		t.Errorf("union = %x", u)
	}
	// Growing within capacity must not resurrect stale bytes.
	buf := []byte{0xff, 0xff, 0xff}[:1]
	u = UnionNumbits(buf, []byte{0, 0, 1})
	if !bytes.Equal(u, []byte{0xff, 0, 1}) {
		t.Errorf("union in place = %x", u)
	}
}

func FuzzNumbits(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0x01, 0x80})
	f.Add([]byte{0, 0, 0xff, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		nums := DecodeNumbits(b)
		if !slices.IsSorted(nums) {
			t.Fatalf("not sorted: %v", nums)
		}
		for _, n := range nums {
			if n < 0 || n >= 8*len(b) {
				t.Fatalf("number %d out of range for %d bytes", n, len(b))
			}
		}
		// Encoding gives back the bytes minus trailing zero bytes.
		want := bytes.TrimRight(b, "\x00")
		if got := EncodeNumbits(nums); !bytes.Equal(got, want) {
			t.Fatalf("EncodeNumbits(DecodeNumbits(%x)) = %x", b, got)
		}
		if got := UnionNumbits(nil, b); !bytes.Equal(got, b) && len(b) > 0 {
			t.Fatalf("union with nothing changed %x to %x", b, got)
		}
	})
}

// FuzzDecodeRaw feeds arbitrary bytes (seeded with real data files and
// damaged copies) to the native SQLite decoder: it must return an error or
// data, never panic or loop.
func FuzzDecodeRaw(f *testing.F) {
	for _, name := range []string{"testdata/lines-65.coverage", "testdata/branchctx-716.coverage"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:4096])
	}
	f.Add([]byte("SQLite format 3\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var r Raw
		if err := DecodeRaw(b, &r); err != nil {
			return
		}
		if _, err := FromRaw(&r); err != nil {
			t.Fatal(err)
		}
	})
}
