package pysource

// lineSet is a set of line numbers (>= 0), indexed by line: analysis builds
// several per file, and lines are dense, so a slice beats a map.
type lineSet []bool

func newLineSet(lines int) lineSet { return make(lineSet, 0, lines+2) }

func (s *lineSet) add(l int) {
	if l < 0 {
		return
	}
	if l >= len(*s) {
		if l < cap(*s) {
			*s = (*s)[:l+1]
		} else {
			*s = append(*s, make([]bool, l+1-len(*s))...)
		}
	}
	(*s)[l] = true
}

func (s lineSet) has(l int) bool { return l >= 0 && l < len(s) && s[l] }

// sorted returns the lines in increasing order, never nil.
// hasAny reports whether s has a line from lo to hi.
func (s lineSet) hasAny(lo, hi int) bool {
	for l := lo; l <= hi; l++ {
		if s.has(l) {
			return true
		}
	}
	return false
}

func (s lineSet) sorted() []int {
	n := 0
	for _, ok := range s {
		if ok {
			n++
		}
	}
	out := make([]int, 0, n)
	for l, ok := range s {
		if ok {
			out = append(out, l)
		}
	}
	return out
}

// min returns the smallest line, or -1 for an empty set.
func (s lineSet) min() int {
	for l, ok := range s {
		if ok {
			return l
		}
	}
	return -1
}

func (s lineSet) empty() bool { return s.min() < 0 }
