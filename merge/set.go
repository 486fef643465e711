package merge

import "math/bits"

// u64set is a set of uint64 with open addressing and linear probing. Arcs
// are inserted millions of times and almost always already present, so a
// lookup must be a multiply, a shift and usually one compare; Go's map does
// several times the work.
type u64set struct {
	slots   []uint64 // 0 marks an empty slot; the key 0 lives in hasZero
	shift   uint8
	n       int
	hasZero bool
}

func newU64set() *u64set {
	return &u64set{slots: make([]uint64, 16), shift: 64 - 4}
}

func (s *u64set) len() int {
	if s.hasZero {
		return s.n + 1
	}
	return s.n
}

// add inserts k. The common case, k already in its home slot, is small
// enough to inline.
func (s *u64set) add(k uint64) {
	if s.slots[(k*0x9E3779B97F4A7C15)>>s.shift] != k || k == 0 {
		s.insert(k)
	}
}

func (s *u64set) insert(k uint64) {
	if k == 0 {
		s.hasZero = true
		return
	}
	mask := uint64(len(s.slots) - 1)
	i := (k * 0x9E3779B97F4A7C15) >> s.shift
	for {
		v := s.slots[i]
		if v == k {
			return
		}
		if v == 0 {
			s.slots[i] = k
			s.n++
			if 2*s.n > len(s.slots) {
				s.grow()
			}
			return
		}
		i = (i + 1) & mask
	}
}

func (s *u64set) grow() {
	old := s.slots
	s.slots = make([]uint64, 2*len(old))
	s.shift = uint8(64 - bits.TrailingZeros(uint(len(s.slots))))
	s.n = 0
	for _, k := range old {
		if k != 0 {
			s.insert(k)
		}
	}
}

// each calls fn with every member.
func (s *u64set) each(fn func(uint64)) {
	if s.hasZero {
		fn(0)
	}
	for _, k := range s.slots {
		if k != 0 {
			fn(k)
		}
	}
}
