package pysource

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/dlclark/regexp2"
)

// Exclusion regexes use Python re syntax and semantics. Most patterns are
// also valid RE2 once Python's Unicode classes (\s, \d, \w) are spelled out,
// and Go's regexp (linear time, leftmost-first like Python) runs those;
// patterns RE2 cannot serve (look-around, backreferences, \b, possessive
// forms) go to regexp2, a backtracking engine like Python's.

// pyRegex is a compiled Python pattern.
type pyRegex struct {
	re2  *regexp.Regexp
	back *regexp2.Regexp
	// lineStart is set for a multi-line pattern that can only match at the
	// start of a line: the pattern anchored with \A, to try at each line.
	lineStart *regexp.Regexp
	// skip and first, when set, give a quick necessary condition for a
	// line-start match: after skipping runes in skip, the next rune is in
	// first.
	skip, first []rune
	// lit, for a backtracking pattern whose every match starts with this
	// ASCII byte ('#' for the pragmas), lets the search jump from one such
	// byte to the next and try anchored there instead of scanning runes.
	lit      byte
	anchored *regexp2.Regexp
	// prog, for an RE2 pattern anchored at line starts or beginning with
	// the literal prefix, runs the attempts at those places (see
	// anchoredMatch).
	prog   *syntax.Prog
	prefix string
	// required is a literal every match contains, if one is known: no
	// match starts after its last occurrence.
	required string
}

var regexCache sync.Map // key: flag + pattern -> *pyRegex or error

func compilePython(pattern string, multiline bool) (*pyRegex, error) {
	key := "0" + pattern
	if multiline {
		key = "1" + pattern
	}
	if v, ok := regexCache.Load(key); ok {
		if err, ok := v.(error); ok {
			return nil, err
		}
		return v.(*pyRegex), nil
	}
	r, err := compilePythonUncached(pattern, multiline)
	if err != nil {
		regexCache.Store(key, err)
		return nil, err
	}
	regexCache.Store(key, r)
	return r, nil
}

func compilePythonUncached(pattern string, multiline bool) (*pyRegex, error) {
	if tr, ok := toRE2(pattern); ok {
		if multiline {
			tr = "(?m)" + tr
		}
		if re, err := regexp.Compile(tr); err == nil {
			r := &pyRegex{re2: re}
			if multiline && anchoredAtLineStart(tr) {
				r.lineStart, _ = regexp.Compile(`\A(?:` + tr + `)`)
				r.skip, r.first = linePrefilter(tr)
				r.prog, _ = compileProg(tr)
				r.required = requiredLiteral(tr)
			} else if prefix, _ := re.LiteralPrefix(); prefix != "" {
				r.required = requiredLiteral(tr)
				if r.prog, _ = compileProg(tr); r.prog != nil {
					r.prefix = prefix
				}
			}
			return r, nil
		}
	}
	opt := regexp2.RegexOptions(0)
	if multiline {
		opt = regexp2.Multiline
	}
	re, err := regexp2.Compile(translateDotNet(pattern), opt)
	if err != nil {
		return nil, fmt.Errorf("invalid regex %q: %w", pattern, err)
	}
	r := &pyRegex{back: re}
	if c, ok := literalStart(pattern); ok {
		if a, err := regexp2.Compile(`\G(?:`+translateDotNet(pattern)+`)`, opt); err == nil {
			r.lit, r.anchored = c, a
		}
	}
	return r, nil
}

// literalStart reports the ASCII byte every match of the Python pattern
// must start with: a plain first character, not made optional by a
// quantifier, and no alternation at the top level.
func literalStart(p string) (byte, bool) {
	if p == "" || p[0] >= 0x80 || strings.IndexByte(`\.^$*+?{}[]|()`, p[0]) >= 0 {
		return 0, false
	}
	if len(p) > 1 && strings.IndexByte("*?{", p[1]) >= 0 {
		return 0, false
	}
	depth, inClass := 0, false
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '\\':
			i++
		case inClass:
			if c == ']' {
				inClass = false
			}
		case c == '[':
			inClass = true
			if i+1 < len(p) && p[i+1] == '^' {
				i++
			}
			if i+1 < len(p) && p[i+1] == ']' {
				i++
			}
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == '|' && depth == 0:
			return 0, false
		}
	}
	return p[0], true
}

// requiredLiteral returns the longest literal that is a part of the
// top-level sequence of an RE2 pattern, so in every match.
func requiredLiteral(pattern string) string {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return ""
	}
	re = re.Simplify()
	for re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	subs := []*syntax.Regexp{re}
	if re.Op == syntax.OpConcat {
		subs = re.Sub
	}
	best := ""
	for _, sub := range subs {
		if sub.Op == syntax.OpLiteral && sub.Flags&syntax.FoldCase == 0 {
			if lit := string(sub.Rune); len(lit) > len(best) {
				best = lit
			}
		}
	}
	return best
}

// anchoredAtLineStart reports whether every match of the RE2 pattern must
// start at a line start ((?m)^ leading the whole pattern).
func anchoredAtLineStart(pattern string) bool {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return false
	}
	for re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	if re.Op == syntax.OpBeginLine {
		return true
	}
	return re.Op == syntax.OpConcat && len(re.Sub) > 0 && re.Sub[0].Op == syntax.OpBeginLine
}

// linePrefilter analyzes a pattern anchored at line starts, ^ C* REST or
// ^ REST, where REST cannot match empty and cannot start with a rune of the
// class C: a match at a line start needs the first rune after the run of C
// to be one REST can start with. It returns nil first when it cannot tell.
func linePrefilter(pattern string) (skip, first []rune) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, nil
	}
	re = re.Simplify()
	for re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	if re.Op != syntax.OpConcat || len(re.Sub) < 2 || re.Sub[0].Op != syntax.OpBeginLine {
		return nil, nil
	}
	rest := re.Sub[1:]
	if st := rest[0]; st.Op == syntax.OpStar && st.Sub[0].Op == syntax.OpCharClass {
		skip = st.Sub[0].Rune
		rest = rest[1:]
	}
	set, nullable, ok := firstRunes(&syntax.Regexp{Op: syntax.OpConcat, Sub: rest})
	if !ok || nullable || len(set) == 0 {
		return nil, nil
	}
	for i := 0; i < len(set); i += 2 {
		for j := 0; j < len(skip); j += 2 {
			if set[i] <= skip[j+1] && skip[j] <= set[i+1] {
				return nil, nil
			}
		}
	}
	return skip, set
}

// firstRunes returns the runes a match of re can start with, as ranges,
// whether re can match empty, and false when it cannot tell.
func firstRunes(re *syntax.Regexp) (set []rune, nullable, ok bool) {
	switch re.Op {
	case syntax.OpLiteral:
		if len(re.Rune) == 0 {
			return nil, true, true
		}
		if re.Flags&syntax.FoldCase != 0 {
			return nil, false, false
		}
		return []rune{re.Rune[0], re.Rune[0]}, false, true
	case syntax.OpCharClass:
		return re.Rune, false, true
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText:
		return nil, true, true
	case syntax.OpCapture:
		return firstRunes(re.Sub[0])
	case syntax.OpStar, syntax.OpQuest:
		s, _, ok := firstRunes(re.Sub[0])
		return s, true, ok
	case syntax.OpPlus:
		return firstRunes(re.Sub[0])
	case syntax.OpRepeat:
		s, n, ok := firstRunes(re.Sub[0])
		return s, n || re.Min == 0, ok
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			s, n, ok := firstRunes(sub)
			if !ok {
				return nil, false, false
			}
			set = append(set, s...)
			if !n {
				return set, false, true
			}
		}
		return set, true, true
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			s, n, ok := firstRunes(sub)
			if !ok {
				return nil, false, false
			}
			set = append(set, s...)
			nullable = nullable || n
		}
		return set, nullable, true
	}
	return nil, false, false
}

func inRanges(r rune, set []rune) bool {
	for i := 0; i < len(set); i += 2 {
		if set[i] <= r && r <= set[i+1] {
			return true
		}
	}
	return false
}

// Python's str-pattern classes, spelled for RE2 (inside brackets).
const (
	pySpace = `\t\n\v\f\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}`
	pyDigit = `\p{Nd}`
	pyWord  = `\p{L}\p{N}\p{Mn}\p{Mc}\p{Pc}`
)

// toRE2 rewrites a Python pattern for Go's regexp, or reports that it needs
// a backtracking engine.
func toRE2(p string) (string, bool) {
	if strings.Contains(p, "(?=") || strings.Contains(p, "(?!") || strings.Contains(p, "(?<") ||
		strings.Contains(p, "(?P=") || strings.Contains(p, "(?>") || strings.Contains(p, "(?#") {
		return "", false
	}
	var b strings.Builder
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '\\' && i+1 < len(p) {
			n := p[i+1]
			i++
			var cls string
			neg := false
			switch n {
			case 's', 'S':
				cls, neg = pySpace, n == 'S'
			case 'd', 'D':
				cls, neg = pyDigit, n == 'D'
			case 'w', 'W':
				cls, neg = pyWord, n == 'W'
			case 'b', 'B', 'Z', 'A':
				if n == 'A' {
					b.WriteString(`\A`)
					continue
				}
				if n == 'Z' {
					b.WriteString(`\z`)
					continue
				}
				return "", false
			case '1', '2', '3', '4', '5', '6', '7', '8', '9':
				return "", false
			default:
				b.WriteByte('\\')
				b.WriteByte(n)
				continue
			}
			switch {
			case inClass && neg:
				return "", false
			case inClass:
				b.WriteString(cls)
			case neg:
				b.WriteString("[^" + cls + "]")
			default:
				b.WriteString("[" + cls + "]")
			}
			continue
		}
		switch c {
		case '[':
			if !inClass {
				inClass = true
				b.WriteByte(c)
				if i+1 < len(p) && p[i+1] == '^' {
					b.WriteByte('^')
					i++
				}
				if i+1 < len(p) && p[i+1] == ']' {
					b.WriteString(`\]`)
					i++
				}
				continue
			}
			b.WriteString(`\[`)
			continue
		case ']':
			inClass = false
		case '(':
			if strings.HasPrefix(p[i:], "(?P<") {
				b.WriteString("(?P<")
				i += 3
				continue
			}
		case '{':
			// Python reads a '{' that starts no valid repeat literally, and
			// {,n} as {0,n}.
			if !inClass && !validRepeat(p[i:]) {
				b.WriteString(`\{`)
				continue
			}
			if !inClass && strings.HasPrefix(p[i:], "{,") {
				b.WriteString("{0")
				continue
			}
		case '}':
			if !inClass && !closesRepeat(p[:i]) {
				b.WriteString(`\}`)
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String(), true
}

func validRepeat(s string) bool {
	j := strings.IndexByte(s, '}')
	if j < 0 {
		return false
	}
	body := s[1:j]
	if body == "" {
		return false
	}
	for _, r := range body {
		if !(r >= '0' && r <= '9' || r == ',') {
			return false
		}
	}
	return body != ","
}

func closesRepeat(before string) bool {
	i := strings.LastIndexByte(before, '{')
	if i < 0 || (i > 0 && before[i-1] == '\\') {
		return false
	}
	return validRepeat(before[i:] + "}")
}

// translateDotNet rewrites the few Python spellings .NET syntax lacks.
func translateDotNet(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '\\' && i+1 < len(p) {
			if p[i+1] == 'Z' {
				b.WriteString(`\z`)
			} else {
				b.WriteByte(c)
				b.WriteByte(p[i+1])
			}
			i++
			continue
		}
		if strings.HasPrefix(p[i:], "(?P<") {
			b.WriteString("(?<")
			i += 3
			continue
		}
		if strings.HasPrefix(p[i:], "(?P=") {
			j := strings.IndexByte(p[i:], ')')
			if j > 0 {
				b.WriteString(`\k<` + p[i+4:i+j] + `>`)
				i += j
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// findAll returns the byte spans of the successive non-overlapping matches.
func (r *pyRegex) findAll(text string) ([][2]int, error) {
	if r.re2 != nil {
		locs := r.re2.FindAllStringIndex(text, -1)
		out := make([][2]int, len(locs))
		for i, l := range locs {
			out[i] = [2]int{l[0], l[1]}
		}
		return out, nil
	}
	runes, off := runeIndex(text)
	return r.findAllRunes(runes, off)
}

// runeIndex is text as runes (what the backtracking engine scans) and the
// byte offset of each rune offset.
func runeIndex(text string) ([]rune, []int) {
	runes := []rune(text)
	off := make([]int, len(runes)+1)
	pos := 0
	for i, rr := range runes {
		off[i] = pos
		pos += utf8.RuneLen(rr)
	}
	off[len(runes)] = len(text)
	return runes, off
}

// findAllRunes is findAll for the backtracking engine over a text already
// converted by runeIndex.
func (r *pyRegex) findAllRunes(runes []rune, off []int) ([][2]int, error) {
	var out [][2]int
	m, err := r.back.FindRunesMatch(runes)
	for m != nil && err == nil {
		out = append(out, [2]int{off[m.Index], off[m.Index+m.Length]})
		m, err = r.back.FindNextMatch(m)
	}
	if err != nil {
		return nil, errors.New("regex match: " + err.Error())
	}
	return out, nil
}

func (r *pyRegex) matchString(s string) (bool, error) {
	if r.re2 != nil {
		return r.re2.MatchString(s), nil
	}
	return r.back.MatchString(s)
}

// lineMatcher finds the lines of a text that Python regexes match.
type lineMatcher struct {
	text string
	nl   []int // byte offsets of the '\n's
	cov  Version
	// The text as runes, converted once for all the patterns that need
	// the backtracking engine.
	runes []rune
	off   []int
}

// findAllIn runs re over the whole text.
func (lm *lineMatcher) findAllIn(re *pyRegex) ([][2]int, error) {
	if re.re2 != nil {
		if re.prefix != "" {
			if out, ok := lm.findFromPrefix(re); ok {
				return out, nil
			}
		}
		return re.findAll(lm.text)
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
func (lm *lineMatcher) findFromPrefix(re *pyRegex) ([][2]int, bool) {
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
func (lm *lineMatcher) findFromLiteral(re *pyRegex) ([][2]int, error) {
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

func newLineMatcher(text string, cov Version) (*lineMatcher, error) {
	lm := &lineMatcher{text: text, cov: cov}
	for i := 0; i < len(text); i++ {
		if j := strings.IndexByte(text[i:], '\n'); j >= 0 {
			lm.nl = append(lm.nl, i+j)
			i += j
		} else {
			break
		}
	}
	return lm, nil
}

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

// newlinesBefore counts the '\n's at byte offsets < off.
func (lm *lineMatcher) newlinesBefore(off int) int {
	return sort.SearchInts(lm.nl, off)
}

// matching is coverage.py 7.x's lines_matching over the joined list of
// patterns: the regex runs over the whole text in MULTILINE mode; every
// line a match spans counts, mapped through ml when it is non-nil.
func (lm *lineMatcher) matching(patterns []string, cov Version, ml []int32) (lineSet, error) {
	spans, err := lm.findAll(patterns, cov)
	if err != nil {
		return nil, err
	}
	out := newLineSet(len(lm.nl) + 1)
	for _, sp := range spans {
		sl := lm.newlinesBefore(sp[0])
		el := lm.newlinesBefore(sp[1])
		for l := sl + 1; l <= el+1; l++ {
			if l < len(ml) && ml[l] != 0 {
				out.add(int(ml[l]))
			} else {
				out.add(l)
			}
		}
	}
	return out, nil
}

// findAll finds the matches Python's re.finditer would find for the joined
// patterns. For speed each pattern runs on its own (Go's regexp skips
// ahead to a literal prefix, and a pattern anchored at line starts is only
// tried there); the per-pattern matches are merged the way one scan with
// the alternation picks them: leftmost start, then first pattern. Should
// that merge be ambiguous (overlapping or empty matches), the joined
// pattern runs as one.
func (lm *lineMatcher) findAll(patterns []string, cov Version) ([][2]int, error) {
	if len(patterns) == 0 {
		return nil, nil
	}
	joined := JoinRegex(patterns, cov)
	lists := make([][][2]int, len(patterns))
	for i, p := range patterns {
		if len(patterns) == 1 {
			p = joined
		}
		re, err := compilePython(p, true)
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
	re, err := compilePython(joined, true)
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
func (lm *lineMatcher) findOne(re *pyRegex) ([][2]int, error) {
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
func (lm *lineMatcher) findAtLineStarts(re *pyRegex, st *btState) ([][2]int, bool) {
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

// perLine is coverage.py 6.x's lines_matching: the joined patterns searched
// on each line; a line matches when one of the patterns does.
func (lm *lineMatcher) perLine(patterns []string) (lineSet, error) {
	out := newLineSet(len(lm.nl) + 1)
	res := make([]*pyRegex, len(patterns))
	for i, p := range patterns {
		re, err := compilePython(p, false)
		if err != nil {
			return nil, err
		}
		res[i] = re
	}
	if len(res) == 0 {
		return out, nil
	}
	for i, line := range strings.Split(lm.text, "\n") {
		for _, re := range res {
			ok, err := re.matchString(line)
			if err != nil {
				return nil, err
			}
			if ok {
				out.add(i + 1)
				break
			}
		}
	}
	return out, nil
}
