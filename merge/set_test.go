package merge

import (
	"math/rand/v2"
	"testing"
)

func TestU64set(t *testing.T) {
	s := newU64set()
	want := map[uint64]bool{}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 5000 {
		k := rng.Uint64N(3000) << (rng.UintN(4) * 16) // zero, small, and high-bit keys
		s.add(k)
		want[k] = true
	}
	if s.len() != len(want) {
		t.Fatalf("len %d, want %d", s.len(), len(want))
	}
	got := map[uint64]bool{}
	s.each(func(k uint64) {
		if got[k] {
			t.Fatalf("%d twice", k)
		}
		got[k] = true
	})
	for k := range want {
		if !got[k] {
			t.Fatalf("%d missing", k)
		}
	}
}
