// Package pyregex runs Python regular expressions (the re module's syntax
// and semantics) over Go strings, as coverage.py runs its exclusion and
// partial-branch regexes: most patterns are also valid RE2 once Python's
// Unicode classes are spelled out, and Go's regexp (linear time,
// leftmost-first like Python) runs those; the others (look-around,
// backreferences, \b, possessive forms) go to regexp2, a backtracking
// engine like Python's. Text finds the matches of re.finditer over a whole
// source text, with fast paths for the patterns coverage.py uses most
// (anchored at line starts, or starting with a literal).
package pyregex

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"

	"github.com/dlclark/regexp2"
)

// Regexp is a compiled Python pattern.
type Regexp struct {
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

var regexCache sync.Map // key: flag + pattern -> *Regexp or error

// Compile compiles a Python pattern, with re.MULTILINE when multiline is
// set. Compiled patterns (and errors) are cached for the process.
func Compile(pattern string, multiline bool) (*Regexp, error) {
	key := "0" + pattern
	if multiline {
		key = "1" + pattern
	}
	if v, ok := regexCache.Load(key); ok {
		if err, ok := v.(error); ok {
			return nil, err
		}
		return v.(*Regexp), nil
	}
	r, err := compileUncached(pattern, multiline)
	if err != nil {
		regexCache.Store(key, err)
		return nil, err
	}
	regexCache.Store(key, r)
	return r, nil
}

func compileUncached(pattern string, multiline bool) (*Regexp, error) {
	if tr, ok := toRE2(pattern); ok {
		if multiline {
			tr = "(?m)" + tr
		}
		if re, err := regexp.Compile(tr); err == nil {
			r := &Regexp{re2: re}
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
	r := &Regexp{back: re}
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

// FindAll returns the byte spans of the successive non-overlapping
// matches (re.finditer).
func (r *Regexp) FindAll(text string) ([][2]int, error) {
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
// byte offset of each rune offset. A byte that is not UTF-8 is one rune
// (U+FFFD) one byte wide.
func runeIndex(text string) ([]rune, []int) {
	runes := make([]rune, 0, len(text))
	off := make([]int, 0, len(text)+1)
	for i, r := range text {
		runes = append(runes, r)
		off = append(off, i)
	}
	off = append(off, len(text))
	return runes, off
}

// findAllRunes is findAll for the backtracking engine over a text already
// converted by runeIndex.
func (r *Regexp) findAllRunes(runes []rune, off []int) ([][2]int, error) {
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

// MatchString reports whether the pattern matches somewhere in s
// (re.search).
func (r *Regexp) MatchString(s string) (bool, error) {
	if r.re2 != nil {
		return r.re2.MatchString(s), nil
	}
	return r.back.MatchString(s)
}
