package pyarcs

import (
	"strconv"
	"strings"

	"github.com/covkit/covkit/pysource"
)

// Expression-level facts, read from statement tokens rather than from a
// second parser: constant tests, case patterns, and the lambdas and
// comprehensions that coverage.py < 7.7 treats as code objects.

func codeToks(toks []pysource.Token) []pysource.Token {
	out := make([]pysource.Token, 0, len(toks))
	for _, t := range toks {
		switch t.Type {
		case pysource.COMMENT, pysource.NL, pysource.NEWLINE, pysource.INDENT, pysource.DEDENT, pysource.ENDMARKER:
			continue
		}
		out = append(out, t)
	}
	return out
}

func isOp(t pysource.Token, s string) bool   { return t.Type == pysource.OP && t.Text == s }
func isName(t pysource.Token, s string) bool { return t.Type == pysource.NAME && t.Text == s }

// constantTest is coverage.py's is_constant_test_expr (full, 7.7+) or
// is_constant_expr (atoms only, older): whether a test expression is a
// compile-time constant, and its truth value.
func constantTest(toks []pysource.Token, full bool) (constant, val bool) {
	toks = codeToks(toks)
	p := &cparser{toks: toks, full: full}
	c, v, ok := p.or()
	if !ok || p.pos != len(p.toks) {
		return false, false
	}
	return c, v
}

type cparser struct {
	toks []pysource.Token
	pos  int
	full bool
}

func (p *cparser) peek() (pysource.Token, bool) {
	if p.pos < len(p.toks) {
		return p.toks[p.pos], true
	}
	return pysource.Token{}, false
}

// or parses a disjunction; ok is false for shapes that are surely not
// constant.
func (p *cparser) or() (c, v, ok bool) {
	return p.boolop("or", p.and)
}

func (p *cparser) and() (c, v, ok bool) {
	return p.boolop("and", p.not)
}

func (p *cparser) boolop(op string, sub func() (bool, bool, bool)) (c, v, ok bool) {
	c, v, ok = sub()
	if !ok {
		return
	}
	n := 1
	allC := c
	vals := []bool{v}
	for {
		t, more := p.peek()
		if !more || !isName(t, op) {
			break
		}
		if !p.full {
			return false, false, false
		}
		p.pos++
		c2, v2, ok2 := sub()
		if !ok2 {
			return false, false, false
		}
		n++
		allC = allC && c2
		vals = append(vals, v2)
	}
	if n == 1 {
		return c, v, true
	}
	if !allC {
		return false, false, true
	}
	res := op == "and"
	for _, x := range vals {
		if op == "or" && x {
			res = true
		}
		if op == "and" && !x {
			res = false
		}
	}
	return true, res, true
}

func (p *cparser) not() (c, v, ok bool) {
	t, more := p.peek()
	if more && isName(t, "not") {
		if !p.full {
			return false, false, false
		}
		p.pos++
		c, v, ok = p.not()
		if !ok {
			return
		}
		return c, !v, true
	}
	return p.atom()
}

func (p *cparser) atom() (c, v, ok bool) {
	t, more := p.peek()
	if !more {
		return false, false, false
	}
	switch t.Type {
	case pysource.NUMBER:
		p.pos++
		return true, numberTrue(t.Text), true
	case pysource.STRING:
		val := false
		for {
			t, more := p.peek()
			if !more || t.Type != pysource.STRING {
				break
			}
			p.pos++
			empty, plain := stringEmpty(t.Text)
			if !plain {
				// An f-string (or t-string) is not a constant.
				return false, false, false
			}
			if !empty {
				val = true
			}
		}
		return true, val, true
	case pysource.NAME:
		p.pos++
		switch t.Text {
		case "True", "__debug__":
			return true, true, true
		case "False", "None":
			return true, false, true
		}
		return false, false, false
	case pysource.OP:
		if t.Text == "..." {
			p.pos++
			return true, true, true
		}
		if t.Text == "(" {
			end := pysource.MatchingClose(p.toks, p.pos)
			if end < 0 || end == p.pos+1 {
				return false, false, false
			}
			inner := p.toks[p.pos+1 : end]
			if pysource.TopLevelIndex(inner, ",") >= 0 {
				return false, false, false
			}
			q := &cparser{toks: inner, full: p.full}
			c, v, ok = q.or()
			if !ok || q.pos != len(inner) {
				return false, false, false
			}
			p.pos = end + 1
			return c, v, true
		}
	}
	return false, false, false
}

func numberTrue(s string) bool {
	s = strings.ToLower(strings.ReplaceAll(s, "_", ""))
	s = strings.TrimSuffix(s, "j")
	if len(s) > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o' || s[1] == 'b') {
		return strings.Trim(s[2:], "0") != ""
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		// Out of range: huge, so true.
		return true
	}
	return f != 0
}

// stringEmpty reports whether a string literal token is empty, and whether
// it is a plain (not formatted or template) literal.
func stringEmpty(tok string) (empty, plain bool) {
	i := 0
	for i < len(tok) && tok[i] != '\'' && tok[i] != '"' {
		i++
	}
	prefix := strings.ToLower(tok[:i])
	if strings.ContainsAny(prefix, "ft") {
		return false, false
	}
	body := tok[i:]
	if len(body) >= 6 && (strings.HasPrefix(body, `"""`) || strings.HasPrefix(body, `'''`)) {
		return len(body) == 6, true
	}
	return len(body) == 2, true
}

// Case patterns.

type patKind uint8

const (
	patOther patKind = iota
	patOr
	patAs
)

type pattern struct {
	kind  patKind
	alts  []*pattern // patOr
	inner *pattern   // patAs: the pattern before 'as', nil for a capture or _
}

// casePattern splits a case header (after the keyword) into its pattern
// and whether it has a guard.
func casePattern(toks []pysource.Token) (*pattern, bool) {
	toks = codeToks(toks)
	depth := 0
	for i, t := range toks {
		depth += t.Nesting()
		if depth == 0 && isName(t, "if") {
			return parsePattern(toks[:i]), true
		}
	}
	return parsePattern(toks), false
}

func parsePattern(toks []pysource.Token) *pattern {
	if len(toks) == 0 || pysource.TopLevelIndex(toks, ",") >= 0 {
		return &pattern{}
	}
	if n := len(toks); n >= 3 && isName(toks[n-2], "as") && toks[n-1].Type == pysource.NAME {
		return &pattern{kind: patAs, inner: parseOr(toks[:n-2])}
	}
	return parseOr(toks)
}

func parseOr(toks []pysource.Token) *pattern {
	parts := pysource.TopLevelSplit(toks, "|")
	if len(parts) == 1 {
		return parseClosed(toks)
	}
	alts := make([]*pattern, len(parts))
	for i, part := range parts {
		alts[i] = parseClosed(part)
	}
	return &pattern{kind: patOr, alts: alts}
}

func parseClosed(toks []pysource.Token) *pattern {
	if len(toks) == 1 && toks[0].Type == pysource.NAME {
		switch toks[0].Text {
		case "None", "True", "False":
			return &pattern{}
		}
		return &pattern{kind: patAs}
	}
	if len(toks) >= 3 && isOp(toks[0], "(") && pysource.MatchingClose(toks, 0) == len(toks)-1 {
		inner := toks[1 : len(toks)-1]
		if pysource.TopLevelIndex(inner, ",") < 0 {
			return parsePattern(inner)
		}
	}
	return &pattern{}
}

// patternIsMatchAs is coverage.py 6.5's wildcard test, applied to any case:
// the pattern is a capture, a wildcard or an 'as' pattern.
func patternIsMatchAs(toks []pysource.Token) bool {
	p, _ := casePattern(toks)
	return p.kind == patAs
}

// caseIsWildcard is the 7.x test on the last case: no guard, the last
// alternative of or-patterns is a capture or wildcard (7.7+ also sees
// through 'P as NAME').
func caseIsWildcard(toks []pysource.Token, seeThroughAs bool) bool {
	p, guard := casePattern(toks)
	if guard {
		return false
	}
	for p.kind == patOr {
		p = p.alts[len(p.alts)-1]
	}
	if seeThroughAs {
		for p.kind == patAs && p.inner != nil {
			p = p.inner
		}
	}
	return p.kind == patAs && p.inner == nil
}

// expressionCodeObjects adds coverage.py < 7.7's arcs for lambdas,
// generator expressions and (on Python < 3.12) comprehensions: each is a
// code object entered and left on its line.
func (an *analyzer) expressionCodeObjects(a *pysource.Analysis) {
	toks, err := pysource.Tokenize(a.Text, an.ver)
	if err != nil {
		return
	}
	// coverage.py 6.x predates inlined comprehensions (PEP 709) and always
	// counts them as code objects.
	compFuncs := !an.ver.AtLeast(3, 12) || !an.cov.AtLeast(7, 0)
	lines := map[int]bool{}
	scanCodeObjects(toks, an.ver, compFuncs, 0, lines)
	for l := range lines {
		f := an.fl(l)
		an.addArc(-f, f)
		an.addArc(f, -f)
	}
}

// scanCodeObjects records the lines of expression code objects in toks;
// lineOff shifts the lines of tokens from a re-tokenized f-string field.
func scanCodeObjects(toks []pysource.Token, ver pysource.Version, compFuncs bool, lineOff int, lines map[int]bool) {
	for i, t := range toks {
		switch t.Type {
		case pysource.NAME:
			if t.Text == "lambda" {
				lines[t.Line+lineOff] = true
			}
		case pysource.STRING:
			fstringFields(t, ver, compFuncs, lineOff, lines)
		case pysource.OP:
			if t.Text != "(" && t.Text != "[" && t.Text != "{" {
				continue
			}
			if t.Text != "(" && !compFuncs {
				continue
			}
			depth := 0
			for j := i; j < len(toks); j++ {
				u := toks[j]
				if u.Type == pysource.OP {
					switch u.Text {
					case "(", "[", "{":
						depth++
					case ")", "]", "}":
						depth--
					}
					if depth == 0 {
						break
					}
				}
				if depth == 1 && isName(u, "for") {
					lines[t.Line+lineOff] = true
					break
				}
			}
		}
	}
}

// fstringFields scans the replacement fields of an f-string token.
func fstringFields(t pysource.Token, ver pysource.Version, compFuncs bool, lineOff int, lines map[int]bool) {
	s := t.Text
	i := 0
	for i < len(s) && s[i] != '\'' && s[i] != '"' {
		i++
	}
	if !strings.ContainsAny(strings.ToLower(s[:i]), "ft") {
		return
	}
	q := 1
	if len(s)-i >= 6 && (strings.HasPrefix(s[i:], `"""`) || strings.HasPrefix(s[i:], `'''`)) {
		q = 3
	}
	body := s[i+q : len(s)-q]
	line := t.Line
	for k := 0; k < len(body); k++ {
		c := body[k]
		if c == '\n' {
			line++
			continue
		}
		if c != '{' {
			continue
		}
		if k+1 < len(body) && body[k+1] == '{' {
			k++
			continue
		}
		// A replacement field: find its end, skipping nested brackets.
		depth := 0
		end := -1
		for m := k + 1; m < len(body) && end < 0; m++ {
			switch body[m] {
			case '(', '[', '{':
				depth++
			case ')', ']':
				depth--
			case '}':
				if depth == 0 {
					end = m
				} else {
					depth--
				}
			}
		}
		if end < 0 {
			return
		}
		field := body[k+1 : end]
		if strings.Contains(field, "lambda") || strings.Contains(field, "for") {
			if ft, err := pysource.Tokenize("("+field+")\n", ver); err == nil {
				scanCodeObjects(ft, ver, compFuncs, lineOff+line-1, lines)
			}
		}
		line += strings.Count(field, "\n")
		k = end
	}
}
