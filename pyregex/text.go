package pyregex

import (
	"errors"
	"sort"
	"strings"
	"unicode/utf8"
)

// Text is a text that Python regexes are searched in, as re.finditer
// searches it.
type Text struct {
	text string
	nl   []int // byte offsets of the '\n's
	// The text as runes, converted once for all the patterns that need
	// the backtracking engine.
	runes []rune
	off   []int
}

// findAllIn runs re over the whole text.
func (lm *Text) findAllIn(re *Regexp) ([][2]int, error) {
	if re.re2 != nil {
		if re.prefix != "" {
			if out, ok := lm.findFromPrefix(re); ok {
				return out, nil
			}
		}
		return re.FindAll(lm.text)
	}
	if lm.runes == nil {
		lm.runes, lm.off = runeIndex(lm.text)
	}
	if re.anchored != nil {
		return lm.findFromLiteral(re)
	}
	return re.findAllRunes(lm.runes, lm.off)
}

// findFromPrefix is FindAll for an RE2 pattern whose matches all start with
// re.prefix: each match starts at the first occurrence of the prefix, from
// where the previous one ended, at which an anchored attempt succeeds. It
// reports false when an attempt reaches too far for anchoredMatch.
func (lm *Text) findFromPrefix(re *Regexp) ([][2]int, bool) {
	var out [][2]int
	st := btPool.Get().(*btState)
	defer btPool.Put(st)
	text := lm.text
	req := newLiteralAhead(text, re.required)
	for pos := 0; pos < len(text); {
		j := strings.Index(text[pos:], re.prefix)
		if j < 0 || !req.from(pos+j) {
			break
		}
		b := pos + j
		switch end, res := st.anchoredMatch(re.prog, text, b); res {
		case btTooFar:
			return nil, false
		case btMatch:
			out = append(out, [2]int{b, end})
			pos = end
			continue
		}
		pos = b + 1
	}
	return out, true
}

// findFromLiteral is finditer for a pattern whose matches all start with
// re.lit: the leftmost match is the first occurrence of that byte at which
// the anchored pattern matches.
func (lm *Text) findFromLiteral(re *Regexp) ([][2]int, error) {
	var out [][2]int
	text := lm.text
	for pos := 0; pos < len(text); {
		j := strings.IndexByte(text[pos:], re.lit)
		if j < 0 {
			break
		}
		b := pos + j
		ri := sort.SearchInts(lm.off, b)
		if ri >= len(lm.off) || lm.off[ri] != b {
			// Offsets that do not line up with the bytes: scan as usual.
			return re.findAllRunes(lm.runes, lm.off)
		}
		m, err := re.anchored.FindRunesMatchStartingAt(lm.runes, ri)
		if err != nil {
			return nil, errors.New("regex match: " + err.Error())
		}
		if m != nil && m.Index == ri && m.Length > 0 {
			end := lm.off[m.Index+m.Length]
			out = append(out, [2]int{b, end})
			pos = end
			continue
		}
		pos = b + 1
	}
	return out, nil
}

// NewText prepares text for searching.
func NewText(text string) *Text {
	lm := &Text{text: text}
	for i := 0; i < len(text); i++ {
		if j := strings.IndexByte(text[i:], '\n'); j >= 0 {
			lm.nl = append(lm.nl, i+j)
			i += j
		} else {
			break
		}
	}
	return lm
}

// Lines is the number of lines of the text (one more than its '\n's).
func (lm *Text) Lines() int { return len(lm.nl) + 1 }

// literalAhead tells whether a literal occurs in a text at or after an
// offset, for offsets that only grow; it searches forward (strings.Index is
// much faster than strings.LastIndex) and only as far as it must.
type literalAhead struct {
	text, lit string
	next      int // an occurrence at or after the last offset asked; -1: none, -2: not searched yet
}

func newLiteralAhead(text, lit string) *literalAhead {
	return &literalAhead{text: text, lit: lit, next: -2}
}

func (la *literalAhead) from(off int) bool {
	if la.lit == "" {
		return true
	}
	if la.next == -1 {
		return false
	}
	if la.next < off {
		if off > len(la.text) {
			la.next = -1
			return false
		}
		j := strings.Index(la.text[off:], la.lit)
		if j < 0 {
			la.next = -1
			return false
		}
		la.next = off + j
	}
	return true
}

// NewlinesBefore counts the '\n's at byte offsets < off.
func (lm *Text) NewlinesBefore(off int) int {
	return sort.SearchInts(lm.nl, off)
}

// Find finds the matches Python's re.finditer would find for joined, the
// alternation of patterns (joined as the caller's coverage.py release joins
// them). For speed each pattern runs on its own (Go's regexp skips
// ahead to a literal prefix, and a pattern anchored at line starts is only
// tried there); the per-pattern matches are merged the way one scan with
// the alternation picks them: leftmost start, then first pattern. Should
// that merge be ambiguous (overlapping or empty matches), the joined
// pattern runs as one.
func (lm *Text) Find(patterns []string, joined string) ([][2]int, error) {
	if len(patterns) == 0 {
		return nil, nil
	}
	lists := make([][][2]int, len(patterns))
	for i, p := range patterns {
		if len(patterns) == 1 {
			p = joined
		}
		re, err := Compile(p, true)
		if err != nil {
			return nil, err
		}
		if lists[i], err = lm.findOne(re); err != nil {
			return nil, err
		}
	}
	if len(lists) == 1 {
		return lists[0], nil
	}
	if merged, ok := mergeMatches(lists); ok {
		return merged, nil
	}
	re, err := Compile(joined, true)
	if err != nil {
		return nil, err
	}
	return lm.findAllIn(re)
}

func mergeMatches(lists [][][2]int) ([][2]int, bool) {
	var out [][2]int
	ptr := make([]int, len(lists))
	pos := 0
	for {
		best := -1
		for i, l := range lists {
			for ptr[i] < len(l) && l[ptr[i]][0] < pos {
				if l[ptr[i]][1] > pos {
					return nil, false
				}
				ptr[i]++
			}
			if ptr[i] < len(l) {
				m := l[ptr[i]]
				if m[0] == m[1] {
					return nil, false
				}
				if best < 0 || m[0] < lists[best][ptr[best]][0] {
					best = i
				}
			}
		}
		if best < 0 {
			return out, true
		}
		m := lists[best][ptr[best]]
		out = append(out, m)
		ptr[best]++
		pos = m[1]
	}
}

// findOne runs one pattern over the text.
func (lm *Text) findOne(re *Regexp) ([][2]int, error) {
	if re.lineStart == nil {
		return lm.findAllIn(re)
	}
	if re.prog != nil {
		st := btPool.Get().(*btState)
		defer btPool.Put(st)
		if out, ok := lm.findAtLineStarts(re, st); ok {
			return out, nil
		}
	}
	out, _ := lm.findAtLineStarts(re, nil)
	return out, nil
}

// findAtLineStarts tries a pattern anchored at line starts at each line
// start in turn, with anchoredMatch when st is set (reporting false should
// an attempt reach too far), else with Go's regexp.
func (lm *Text) findAtLineStarts(re *Regexp, st *btState) ([][2]int, bool) {
	var out [][2]int
	pos := 0
	text := lm.text
	// runEnd caches the end of the last run of skipped runes, so that the
	// line starts inside one run (blank lines) do not rescan it.
	runStart, runEnd := -1, -1
	// failedAt is the end of the skipped run before the last failed
	// attempt: the rest of the pattern cannot start with a skipped rune,
	// so it had to match there, and fails there from any start in the run.
	failedAt := -1
	tooFar := false
	req := newLiteralAhead(text, re.required)
	try := func(s int) {
		if s < pos || tooFar {
			return
		}
		p := -1
		if re.first != nil {
			p = s
			if runStart <= s && s <= runEnd {
				p = runEnd
			}
			runStart = s
			for p < len(text) {
				r, size := utf8.DecodeRuneInString(text[p:])
				if !inRanges(r, re.skip) {
					break
				}
				p += size
			}
			runEnd = p
			if p >= len(text) || p == failedAt {
				return
			}
			r, _ := utf8.DecodeRuneInString(text[p:])
			if !inRanges(r, re.first) {
				return
			}
		}
		if !req.from(s) {
			return
		}
		var loc [2]int
		if st != nil {
			end, res := st.anchoredMatch(re.prog, text, s)
			if res == btTooFar {
				tooFar = true
			}
			if res != btMatch {
				failedAt = p
				return
			}
			loc = [2]int{s, end}
		} else {
			l := re.lineStart.FindStringIndex(text[s:])
			if l == nil {
				failedAt = p
				return
			}
			loc = [2]int{s + l[0], s + l[1]}
		}
		out = append(out, loc)
		pos = loc[1]
		if loc[0] == loc[1] {
			pos++
		}
	}
	try(0)
	for _, nl := range lm.nl {
		if req.next == -1 {
			break
		}
		try(nl + 1)
	}
	return out, !tooFar
}
