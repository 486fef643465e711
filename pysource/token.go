package pysource

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// TokenType is the kind of a token, after Python's tokenize module.
type TokenType uint8

// Token types. F-strings (and 3.14 t-strings) are one STRING token whatever
// the target version: the 3.12+ FSTRING_START/MIDDLE/END split changes
// nothing coverage.py looks at (their inner brackets always balance).
const (
	ENDMARKER TokenType = iota
	NAME
	NUMBER
	STRING
	OP
	COMMENT
	NL
	NEWLINE
	INDENT
	DEDENT
)

var tokNames = [...]string{"ENDMARKER", "NAME", "NUMBER", "STRING", "OP", "COMMENT", "NL", "NEWLINE", "INDENT", "DEDENT"}

func (t TokenType) String() string {
	if int(t) < len(tokNames) {
		return tokNames[t]
	}
	return fmt.Sprintf("TokenType(%d)", t)
}

// Token is one token; lines are 1-based. (No columns: nothing needs them,
// and the token slices are the largest data of an analysis.)
type Token struct {
	Text          string
	Line, EndLine int
	Type          TokenType
}

// tokenError is a tokenizer failure: Msg is the message Python's tokenize or
// parser would give, Line its line.
type tokenError struct {
	Msg  string
	Line int
	// Indent is set for IndentationError (reported the same by all versions).
	Indent bool
	// Kind tells the failures Python's pure-Python tokenize (which
	// coverage.py 6.x runs first) reports differently from the parser.
	Kind tokErrKind
	// EOFLine is the line tokenize reports "EOF in multi-line ..." at.
	EOFLine int
}

type tokErrKind uint8

const (
	tokErrOther        tokErrKind = iota
	tokErrEOFStatement            // unclosed bracket, backslash at EOF, unmatched closer
	tokErrEOFString               // unterminated triple-quoted string
)

func (e *tokenError) Error() string { return fmt.Sprintf("%s at line %d", e.Msg, e.Line) }

// CPython's tokenizer limits (MAXINDENT, MAXLEVEL); they also bound the
// parser's recursion.
const (
	maxIndent  = 100
	maxNesting = 200
)

// tokenizer turns normalized source text (newlines are \n only) into tokens.
type tokenizer struct {
	// trivia counts the COMMENT and NL tokens emitted.
	trivia   int
	src      string
	ver      Version
	pos      int
	line     int // current line number (1-based) of pos
	lstart   int // offset of the start of the current line
	toks     []Token
	depth    int
	brackets []bracketPos
	// altIndents measures indentation with tabs as one column, to catch
	// inconsistent tabs and spaces as CPython does.
	altIndents  []int
	fErr        *tokenError
	indents     []int
	atLineStart bool
	continued   bool
}

type bracketPos struct {
	ch   byte
	line int
}

// Tokenize splits src (already decoded and newline-normalized, see Decode)
// into tokens the way Python's tokenize.generate_tokens does for the target
// version, as far as coverage.py's use of them goes.
func Tokenize(src string, ver Version) ([]Token, error) {
	toks, _, err := tokenizeInto(src, ver, make([]Token, 0, len(src)/4+16))
	return toks, err
}

// tokenizeInto is Tokenize appending to buf; it also counts the COMMENT and
// NL tokens.
func tokenizeInto(src string, ver Version, buf []Token) ([]Token, int, error) {
	t := &tokenizer{src: src, ver: ver, line: 1, indents: []int{0}, altIndents: []int{0}, atLineStart: true}
	t.toks = buf
	err := t.run()
	if t.fErr != nil {
		// A bad f-string before 3.12 is reported once the run of
		// concatenated strings holding it ends, before later errors.
		return t.toks, t.trivia, t.fErr
	}
	return t.toks, t.trivia, err
}

// checkFString applies the pre-3.12 f-string rules to the string token just
// appended, and reports a pending f-string error once a token other than a
// string follows.
func (t *tokenizer) checkFString() bool {
	if t.ver.AtLeast(3, 12) {
		return false
	}
	last := t.toks[len(t.toks)-1]
	switch last.Type {
	case STRING:
		if t.fErr != nil {
			t.fErr.Line = last.EndLine
			return false
		}
		if err := checkOldFString(last); err != nil {
			se := err.(*syntaxError)
			t.fErr = &tokenError{Msg: se.Msg, Line: last.EndLine}
		}
		return false
	case NL, COMMENT:
		return false
	}
	if t.fErr != nil {
		t.fErr.Line = last.Line
		return true
	}
	return false
}

func (t *tokenizer) emit(typ TokenType, start, end int, sline int) {
	t.toks = append(t.toks, Token{Type: typ, Text: t.src[start:end], Line: sline, EndLine: t.line})
}

func (t *tokenizer) tabError() error {
	return &tokenError{Msg: "inconsistent use of tabs and spaces in indentation", Line: t.line}
}

func (t *tokenizer) newline() {
	t.line++
	t.lstart = t.pos
}

func isIdentStart(r rune) bool {
	return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= 0x80 && (unicode.IsLetter(r) || unicode.Is(unicode.Other_ID_Start, r) || unicode.IsMark(r) || unicode.IsDigit(r) || r == 0x2118 || r == 0x212e || r == 0x309b || r == 0x309c))
}

func isIdentChar(r rune) bool {
	return isIdentStart(r) || (r >= '0' && r <= '9') || (r >= 0x80 && (unicode.IsNumber(r) || unicode.Is(unicode.Pc, r) || unicode.Is(unicode.Other_ID_Continue, r)))
}

func (t *tokenizer) run() error {
	src := t.src
	for {
		if t.fErr != nil && len(t.toks) > 0 && t.checkFString() {
			return t.fErr
		}
		if t.atLineStart && t.depth == 0 && !t.continued {
			// Measure indentation.
			col, alt := 0, 0
			p := t.pos
			for p < len(src) {
				c := src[p]
				if c == ' ' {
					col++
					alt++
				} else if c == '\t' {
					col = (col/8 + 1) * 8
					alt++
				} else if c == '\f' {
					col, alt = 0, 0
				} else {
					break
				}
				p++
			}
			if p >= len(src) {
				t.pos = p
				break
			}
			c := src[p]
			if c == '#' || c == '\n' || (c == '\\' && p+1 < len(src) && src[p+1] == '\n' && false) {
				// Blank or comment-only line: no indentation change.
				if c == '#' {
					e := strings.IndexByte(src[p:], '\n')
					if e < 0 {
						e = len(src) - p
					}
					t.pos = p + e
					t.toks = append(t.toks, Token{Type: COMMENT, Text: src[p : p+e], Line: t.line, EndLine: t.line})
					t.trivia++
					p = t.pos
				}
				if p < len(src) {
					t.toks = append(t.toks, Token{Type: NL, Text: "\n", Line: t.line, EndLine: t.line})
					t.trivia++
					t.pos = p + 1
					t.newline()
					continue
				}
				t.pos = p
				break
			}
			t.pos = p
			top := t.indents[len(t.indents)-1]
			altTop := t.altIndents[len(t.altIndents)-1]
			if col > top {
				if alt <= altTop {
					return t.tabError()
				}
				if len(t.indents) >= maxIndent {
					return &tokenError{Msg: "too many levels of indentation", Line: t.line, Indent: true}
				}
				t.indents = append(t.indents, col)
				t.altIndents = append(t.altIndents, alt)
				t.toks = append(t.toks, Token{Type: INDENT, Text: src[t.lstart:p], Line: t.line, EndLine: t.line})
			} else if col < top {
				for col < t.indents[len(t.indents)-1] {
					t.indents = t.indents[:len(t.indents)-1]
					t.altIndents = t.altIndents[:len(t.altIndents)-1]
					t.toks = append(t.toks, Token{Type: DEDENT, Line: t.line, EndLine: t.line})
				}
				if col != t.indents[len(t.indents)-1] {
					return &tokenError{Msg: "unindent does not match any outer indentation level", Line: t.line, Indent: true}
				}
				if alt != t.altIndents[len(t.altIndents)-1] {
					return t.tabError()
				}
			} else if alt != altTop {
				return t.tabError()
			}
			t.atLineStart = false
		}
		t.continued = false
		if t.pos >= len(src) {
			break
		}
		c := src[t.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\f':
			t.pos++
		case c == '\n':
			typ := NEWLINE
			if t.depth > 0 {
				typ = NL
				t.trivia++
			}
			t.toks = append(t.toks, Token{Type: typ, Text: "\n", Line: t.line, EndLine: t.line})
			t.pos++
			t.newline()
			t.atLineStart = typ == NEWLINE
		case c == '#':
			e := strings.IndexByte(src[t.pos:], '\n')
			if e < 0 {
				e = len(src) - t.pos
			}
			s := t.pos
			t.pos += e
			t.emit(COMMENT, s, t.pos, t.line)
			t.trivia++
		case c == '\\':
			if t.pos+1 < len(src) && src[t.pos+1] == '\n' {
				t.pos += 2
				t.newline()
				if t.pos >= len(src) {
					return &tokenError{Msg: "unexpected EOF while parsing", Line: t.line - 1, Kind: tokErrEOFStatement, EOFLine: t.line}
				}
				t.continued = true
				continue
			}
			return &tokenError{Msg: "unexpected character after line continuation character", Line: t.line}
		case c >= '0' && c <= '9' || (c == '.' && t.pos+1 < len(src) && src[t.pos+1] >= '0' && src[t.pos+1] <= '9'):
			s := t.pos
			t.scanNumber()
			if err := t.checkNumber(src[s:t.pos]); err != nil {
				return err
			}
			t.emit(NUMBER, s, t.pos, t.line)
		default:
			r, size := utf8.DecodeRuneInString(src[t.pos:])
			if isIdentStart(r) {
				s, p := t.pos, t.identEnd(t.pos+size)
				if t.quoteAt(p) && isStringPrefix(src[s:p], t.ver) {
					sline := t.line
					t.pos = p
					if err := t.scanString(strings.ToLower(src[s:p])); err != nil {
						return err
					}
					t.toks = append(t.toks, Token{Type: STRING, Text: src[s:t.pos], Line: sline, EndLine: t.line})
					t.checkFString()
					t.checkFString()
					continue
				}
				t.pos = p
				t.emit(NAME, s, p, t.line)
				continue
			}
			if c == '"' || c == '\'' {
				s := t.pos
				sline := t.line
				if err := t.scanString(""); err != nil {
					return err
				}
				t.toks = append(t.toks, Token{Type: STRING, Text: src[s:t.pos], Line: sline, EndLine: t.line})
				t.checkFString()
				continue
			}
			if err := t.scanOp(); err != nil {
				return err
			}
		}
	}
	// End of input.
	if t.depth > 0 {
		open := t.brackets[len(t.brackets)-1]
		return &tokenError{Msg: fmt.Sprintf("'%c' was never closed", open.ch), Line: open.line, Kind: tokErrEOFStatement, EOFLine: t.line}
	}
	if n := len(t.toks); n > 0 {
		last := t.toks[n-1]
		if last.Type != NEWLINE && last.Type != NL && last.Type != DEDENT && last.Type != INDENT {
			t.toks = append(t.toks, Token{Type: NEWLINE, Line: t.line, EndLine: t.line})
		} else if last.Type == NL && t.lastSignificantIsNotNewline() {
			t.toks = append(t.toks, Token{Type: NEWLINE, Line: last.Line, EndLine: last.Line})
		}
	}
	for len(t.indents) > 1 {
		t.indents = t.indents[:len(t.indents)-1]
		t.toks = append(t.toks, Token{Type: DEDENT, Line: t.line, EndLine: t.line})
	}
	t.toks = append(t.toks, Token{Type: ENDMARKER, Line: t.line, EndLine: t.line})
	return nil
}

func (t *tokenizer) lastSignificantIsNotNewline() bool {
	for i := len(t.toks) - 1; i >= 0; i-- {
		switch t.toks[i].Type {
		case NL, COMMENT:
			continue
		case NEWLINE, INDENT, DEDENT:
			return false
		default:
			return true
		}
	}
	return false
}

func isStringPrefix(p string, ver Version) bool {
	if len(p) > 2 {
		return false
	}
	l := strings.ToLower(p)
	switch l {
	case "r", "u", "b", "br", "rb", "f", "fr", "rf":
		return true
	case "t", "tr", "rt":
		return ver.AtLeast(3, 14)
	}
	return false
}

// checkNumber applies CPython's literal rules to the number just scanned.
func (t *tokenizer) checkNumber(num string) error {
	bad := &tokenError{Msg: "invalid decimal literal", Line: t.line}
	if strings.HasSuffix(num, "_") || strings.Contains(num, "__") || strings.Contains(num, "_.") || strings.Contains(num, "._") {
		return bad
	}
	if len(num) > 1 && num[0] == '0' && !strings.ContainsAny(num, ".eEjJxXoObB") {
		if strings.Trim(num, "0_") != "" {
			return &tokenError{Msg: "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers", Line: t.line}
		}
	}
	if t.pos < len(t.src) {
		r, _ := utf8.DecodeRuneInString(t.src[t.pos:])
		if isIdentStart(r) {
			// A keyword may follow directly (1if x else y), a name may not.
			e := t.pos
			for e < len(t.src) && (t.src[e] >= 'a' && t.src[e] <= 'z') {
				e++
			}
			switch t.src[t.pos:e] {
			case "and", "else", "for", "if", "in", "is", "not", "or":
				return nil
			}
			return bad
		}
	}
	return nil
}

func (t *tokenizer) scanNumber() {
	src := t.src
	p := t.pos
	hex := false
	if src[p] == '0' && p+1 < len(src) && (src[p+1] == 'x' || src[p+1] == 'X' || src[p+1] == 'b' || src[p+1] == 'B' || src[p+1] == 'o' || src[p+1] == 'O') {
		hex = true
		p += 2
	}
	dot, exp := false, false
	for p < len(src) {
		c := src[p]
		if c == '.' {
			// One point, before any exponent (1.5e100.real is an attribute).
			if hex || dot || exp {
				break
			}
			dot = true
			p++
			continue
		}
		if c >= '0' && c <= '9' || c == '_' || (hex && (c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
			p++
			continue
		}
		if !hex && !exp && (c == 'e' || c == 'E') {
			exp = true
			q := p + 1
			if q < len(src) && (src[q] == '+' || src[q] == '-') {
				q++
			}
			if q < len(src) && src[q] >= '0' && src[q] <= '9' {
				p = q
				continue
			}
			break
		}
		if !hex && (c == 'j' || c == 'J' || c == 'l' || c == 'L') {
			p++
		}
		break
	}
	t.pos = p
}

// opLen is the length of the operator at the start of s (1 when it is a
// single character, or not an operator at all).
func opLen(s string) int {
	if len(s) < 2 {
		return 1
	}
	c, d := s[0], s[1]
	switch c {
	case '*', '/', '>', '<':
		if d == c {
			if len(s) > 2 && s[2] == '=' {
				return 3
			}
			return 2
		}
		if d == '=' {
			return 2
		}
	case '.':
		if d == '.' && len(s) > 2 && s[2] == '.' {
			return 3
		}
	case '-':
		if d == '>' || d == '=' {
			return 2
		}
	case ':', '!', '=', '+', '%', '&', '|', '^', '@':
		if d == '=' {
			return 2
		}
	}
	return 1
}

func (t *tokenizer) scanOp() error {
	src := t.src
	s := t.pos
	rest := src[s:]
	n := opLen(rest)
	if n == 1 {
		c := src[s]
		switch c {
		case '(', '[', '{':
			if t.depth >= maxNesting {
				return &tokenError{Msg: "too many nested parentheses", Line: t.line}
			}
			t.depth++
			t.brackets = append(t.brackets, bracketPos{c, t.line})
		case ')', ']', '}':
			if t.depth == 0 {
				return &tokenError{Msg: fmt.Sprintf("unmatched '%c'", c), Line: t.line, Kind: tokErrEOFStatement, EOFLine: strings.Count(src, "\n") + 1}
			}
			open := t.brackets[len(t.brackets)-1]
			if !(open.ch == '(' && c == ')' || open.ch == '[' && c == ']' || open.ch == '{' && c == '}') {
				if open.line != t.line {
					return &tokenError{Msg: fmt.Sprintf("closing parenthesis '%c' does not match opening parenthesis '%c' on line %d", c, open.ch, open.line), Line: t.line}
				}
				return &tokenError{Msg: fmt.Sprintf("closing parenthesis '%c' does not match opening parenthesis '%c'", c, open.ch), Line: t.line}
			}
			t.depth--
			t.brackets = t.brackets[:len(t.brackets)-1]
		case ':', ',', ';', '.', '+', '-', '*', '/', '|', '&', '<', '>', '=', '%', '~', '^', '@', '!':
		default:
			r, _ := utf8.DecodeRuneInString(rest)
			if r < 0x80 {
				return &tokenError{Msg: "invalid syntax", Line: t.line}
			}
			return &tokenError{Msg: fmt.Sprintf("invalid character '%c' (U+%04X)", r, r), Line: t.line}
		}
		n = 1
	}
	t.pos += n
	t.emit(OP, s, t.pos, t.line)
	return nil
}

// identEnd returns where an identifier whose characters go on at p ends.
func (t *tokenizer) identEnd(p int) int {
	for p < len(t.src) {
		if c := t.src[p]; c < utf8.RuneSelf {
			// ASCII, most names: no decoding.
			if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
				break
			}
			p++
			continue
		}
		r, size := utf8.DecodeRuneInString(t.src[p:])
		if !isIdentChar(r) {
			break
		}
		p += size
	}
	return p
}

// quoteAt reports whether a quote stands at p, as after a string prefix.
func (t *tokenizer) quoteAt(p int) bool {
	return p < len(t.src) && (t.src[p] == '"' || t.src[p] == '\'')
}

// scanString scans a string literal starting at t.pos (at the quote); prefix
// is the lower-cased prefix.
func (t *tokenizer) scanString(prefix string) error {
	raw := strings.Contains(prefix, "r")
	fstr := strings.ContainsAny(prefix, "ft") && t.ver.AtLeast(3, 12)
	return t.scanQuoted(raw, fstr)
}

// scanQuoted scans a string literal from its opening quote at t.pos to past
// its closing one. An f-string (fstr) is a PEP 701 one (3.12+): its
// replacement fields may hold any expression, including strings with the
// same quotes.
func (t *tokenizer) scanQuoted(raw, fstr bool) error {
	src := t.src
	q, triple, startLine := t.openQuote()
	for t.pos < len(src) {
		c := src[t.pos]
		switch {
		case c == '\\':
			t.pos++
			if t.pos < len(src) && !(fstr && t.fstringNonEscape(raw, q)) {
				// The escaped character cannot end the string.
				if src[t.pos] == '\n' {
					t.pos++
					t.newline()
				} else {
					t.pos++
				}
			}
			continue
		case c == '\n':
			if !triple {
				return stringError(t.unterminatedQuote(q, startLine), fstr)
			}
			t.pos++
			t.newline()
			continue
		case fstr && c == '{':
			if t.pos+1 < len(src) && src[t.pos+1] == '{' {
				t.pos += 2
				continue
			}
			t.pos++
			if err := t.scanFExpr(q, triple); err != nil {
				return err
			}
			continue
		case c == q && t.closeQuote(q, triple):
			return nil
		}
		t.pos++
	}
	return stringError(t.unterminated(triple, startLine), fstr)
}

// fstringNonEscape handles what follows a backslash (at t.pos) in an
// f-string's literal part when it is not an escape of one character: a
// brace keeps its meaning, a raw f-string's backslash escapes only a quote,
// a backslash or a newline, and \N{...} is one escape. It reports whether
// it did.
func (t *tokenizer) fstringNonEscape(raw bool, q byte) bool {
	src := t.src
	n := src[t.pos]
	switch {
	case n == '{' || n == '}':
		return true
	case raw && n != q && n != '\\' && n != '\n':
		return true
	case !raw && n == 'N' && t.pos+1 < len(src) && src[t.pos+1] == '{':
		if e := strings.IndexByte(src[t.pos:], '}'); e > 0 && !strings.Contains(src[t.pos:t.pos+e], "\n") {
			t.pos += e + 1
			return true
		}
	}
	return false
}

// openQuote steps over the opening quote (or three) of a string literal at
// t.pos and returns the quote character, whether the string is
// triple-quoted, and its first line.
func (t *tokenizer) openQuote() (q byte, triple bool, startLine int) {
	q = t.src[t.pos]
	triple = t.tripleQuote(q)
	if triple {
		t.pos += 3
	} else {
		t.pos++
	}
	return q, triple, t.line
}

// tripleQuote reports whether three q quotes start at t.pos.
func (t *tokenizer) tripleQuote(q byte) bool {
	return t.pos+2 < len(t.src) && t.src[t.pos] == q && t.src[t.pos+1] == q && t.src[t.pos+2] == q
}

// closeQuote steps over the closing quote(s) at t.pos (a q) if they end the
// string; a lone q inside a triple-quoted string does not.
func (t *tokenizer) closeQuote(q byte, triple bool) bool {
	if !triple {
		t.pos++
		return true
	}
	if t.tripleQuote(q) {
		t.pos += 3
		return true
	}
	return false
}

// unterminatedQuote is unterminated for a single-quoted string cut by the
// end of the line at t.pos; 3.13 adds a hint when the line ends with an
// escaped quote.
func (t *tokenizer) unterminatedQuote(q byte, startLine int) error {
	err := t.unterminated(false, startLine)
	if t.ver.AtLeast(3, 13) && t.pos >= 2 && t.src[t.pos-1] == q && t.src[t.pos-2] == '\\' {
		te := err.(*tokenError)
		te.Msg += "; perhaps you escaped the end quote?"
	}
	return err
}

func (t *tokenizer) unterminated(triple bool, startLine int) error {
	if triple {
		last := t.line
		if strings.HasSuffix(t.src, "\n") {
			last--
		}
		if t.ver.AtLeast(3, 10) {
			return &tokenError{Msg: fmt.Sprintf("unterminated triple-quoted string literal (detected at line %d)", last), Line: startLine, Kind: tokErrEOFString, EOFLine: startLine}
		}
		return &tokenError{Msg: "EOF while scanning triple-quoted string literal", Line: startLine, Kind: tokErrEOFString, EOFLine: startLine}
	}
	if t.ver.AtLeast(3, 10) {
		// Detected where the line ends, after any backslash-newlines.
		return &tokenError{Msg: fmt.Sprintf("unterminated string literal (detected at line %d)", t.line), Line: startLine}
	}
	return &tokenError{Msg: "EOL while scanning string literal", Line: startLine}
}

// stringError names an unterminated f-string (fstr) as such (3.12+
// tokenizes f-strings itself).
func stringError(err error, fstr bool) error {
	if te, ok := err.(*tokenError); ok && fstr {
		te.Msg = strings.Replace(te.Msg, "string literal", "f-string literal", 1)
	}
	return err
}

// scanFormatSpec scans a replacement field's format spec after its ':':
// literal text with nested fields, up to and including the field's '}'. It
// reports whether it found that '}' before the end of the source.
func (t *tokenizer) scanFormatSpec(q byte, triple bool) (closed bool, err error) {
	src := t.src
	for t.pos < len(src) {
		c := src[t.pos]
		if c == '{' {
			t.pos++
			if err := t.scanFExpr(q, triple); err != nil {
				return false, err
			}
			continue
		}
		if c == '}' {
			t.pos++
			return true, nil
		}
		if c == '\n' {
			if !triple {
				return false, &tokenError{Msg: "f-string: expecting '}'", Line: t.line}
			}
			t.pos++
			t.newline()
			continue
		}
		if c == q && !triple {
			return false, &tokenError{Msg: "f-string: expecting '}'", Line: t.line}
		}
		t.pos++
	}
	return false, nil
}

// scanFExpr scans a replacement field after its '{' up to and including the
// matching '}'.
func (t *tokenizer) scanFExpr(q byte, triple bool) error {
	src := t.src
	depth := 0
	if rest := strings.TrimLeft(src[t.pos:], " \t"); strings.HasPrefix(rest, "}") || strings.HasPrefix(rest, "!") || strings.HasPrefix(rest, ":") {
		return &tokenError{Msg: "f-string: valid expression required before '" + rest[:1] + "'", Line: t.line}
	}
	for t.pos < len(src) {
		c := src[t.pos]
		switch {
		case c == '\n':
			t.pos++
			t.newline()
		case c == '#':
			for t.pos < len(src) && src[t.pos] != '\n' {
				t.pos++
			}
		case c == '(' || c == '[' || c == '{':
			depth++
			t.pos++
		case c == ')' || c == ']':
			depth--
			t.pos++
		case c == '}':
			t.pos++
			if depth == 0 {
				return nil
			}
			depth--
		case c == ':' && depth == 0:
			if t.pos+1 < len(src) && src[t.pos+1] == '=' {
				t.pos += 2
				continue
			}
			t.pos++
			if closed, err := t.scanFormatSpec(q, triple); closed || err != nil {
				return err
			}
		case c == '"' || c == '\'':
			if err := t.scanString(""); err != nil {
				if te, ok := err.(*tokenError); ok && strings.HasPrefix(te.Msg, "unterminated string") {
					return &tokenError{Msg: "f-string: expecting '}'", Line: te.Line}
				}
				return err
			}
		default:
			r, size := utf8.DecodeRuneInString(src[t.pos:])
			if isIdentStart(r) {
				s, p := t.pos, t.identEnd(t.pos+size)
				if t.quoteAt(p) && isStringPrefix(src[s:p], t.ver) {
					t.pos = p
					if err := t.scanString(strings.ToLower(src[s:p])); err != nil {
						return err
					}
					continue
				}
				t.pos = p
				continue
			}
			t.pos += size
		}
	}
	return t.unterminated(triple, t.line)
}
