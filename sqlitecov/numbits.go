package sqlitecov

import "math/bits"

// DecodeNumbits returns the numbers set in a coverage.py numbits blob, in
// increasing order. Bit k of byte i stands for the number 8*i+k.
func DecodeNumbits(nb []byte) []int {
	n := 0
	for _, b := range nb {
		n += bits.OnesCount8(b)
	}
	if n == 0 {
		return []int{}
	}
	out := make([]int, 0, n)
	return appendNumbits(out, nb)
}

func appendNumbits(out []int, nb []byte) []int {
	for i, b := range nb {
		for b != 0 {
			k := bits.TrailingZeros8(b)
			out = append(out, i*8+k)
			b &= b - 1
		}
	}
	return out
}

// EncodeNumbits packs non-negative numbers into a numbits blob exactly as
// coverage.py's nums_to_numbits does: just long enough for the largest
// number, empty for no numbers. Negative numbers are ignored.
func EncodeNumbits(nums []int) []byte {
	max := -1
	for _, n := range nums {
		if n > max {
			max = n
		}
	}
	if max < 0 {
		return []byte{}
	}
	b := make([]byte, max/8+1)
	for _, n := range nums {
		if n >= 0 {
			b[n/8] |= 1 << (n % 8)
		}
	}
	return b
}

// UnionNumbits ORs src into dst, growing dst as needed, and returns it. The
// result is as long as the longer input, like coverage.py's numbits_union.
func UnionNumbits(dst, src []byte) []byte {
	if len(src) > len(dst) {
		if cap(dst) >= len(src) {
			old := len(dst)
			dst = dst[:len(src)]
			clear(dst[old:])
		} else {
			nd := make([]byte, len(src), len(src)+len(src)/4)
			copy(nd, dst)
			dst = nd
		}
	}
	for i, b := range src {
		dst[i] |= b
	}
	return dst
}
