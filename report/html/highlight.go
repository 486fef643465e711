package html

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Token classes of the highlighter; each is a CSS class in style.css.
const (
	clsNone = ""
	clsKey  = "k" // keyword
	clsStr  = "s" // string (any prefix, any quoting)
	clsCom  = "c" // comment
	clsNum  = "m" // number
	clsBi   = "b" // builtin name
	clsDef  = "f" // name being defined by def/class
	clsDec  = "d" // decorator
)

var keywords = toSet("False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield")

var softKeywords = toSet("match case type")

var builtins = toSet("abs aiter all anext any ascii bin bool breakpoint bytearray bytes callable chr classmethod compile complex delattr dict dir divmod enumerate eval exec filter float format frozenset getattr globals hasattr hash help hex id input int isinstance issubclass iter len list locals map max memoryview min next object oct open ord pow print property range repr reversed round set setattr slice sorted staticmethod str sum super tuple type vars zip __import__ self cls NotImplemented Ellipsis __name__ __file__ " +
	"BaseException Exception ArithmeticError AssertionError AttributeError EOFError ImportError ModuleNotFoundError IndexError KeyError KeyboardInterrupt LookupError MemoryError NameError NotImplementedError OSError OverflowError RecursionError RuntimeError StopIteration StopAsyncIteration SyntaxError SystemExit TypeError ValueError ZeroDivisionError FileNotFoundError PermissionError TimeoutError UnicodeError UnicodeDecodeError UnicodeEncodeError Warning DeprecationWarning UserWarning")

func toSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// span is one highlighted stretch [start, end) of the source.
type span struct {
	start, end int
	cls        string
}

// lexer is a forgiving Python lexer for display: it never fails, whatever
// the input (broken code, other languages), and it only finds what colouring
// needs. Package pysource's tokenizer is exact but stops at the first error,
// which a report of a file that no longer parses must survive.
type lexer struct {
	src   string
	pos   int
	spans []span
	// lineStart is true while only whitespace has been seen on the
	// current logical line (soft keywords count only there).
	lineStart bool
	depth     int // bracket depth: newlines inside brackets continue the line
	afterDef  bool
}

// highlight splits src into coloured spans, in order and not overlapping;
// text between spans is plain.
func highlight(src string) []span {
	lx := &lexer{src: src, lineStart: true}
	lx.run()
	return lx.spans
}

func (lx *lexer) emit(start int, cls string) {
	if cls != clsNone && lx.pos > start {
		lx.spans = append(lx.spans, span{start, lx.pos, cls})
	}
}

func (lx *lexer) run() {
	src := lx.src
	for lx.pos < len(src) {
		c := src[lx.pos]
		start := lx.pos
		switch {
		case c == '\n':
			lx.pos++
			if lx.depth == 0 {
				lx.lineStart = true
			}
			continue
		case c == ' ' || c == '\t' || c == '\r' || c == '\f':
			lx.pos++
			continue
		case c == '\\':
			lx.pos++
			if lx.pos < len(src) && src[lx.pos] == '\n' {
				lx.pos++ // continuation: still the same logical line
			}
			continue
		case c == '#':
			if i := strings.IndexByte(src[lx.pos:], '\n'); i >= 0 {
				lx.pos += i
			} else {
				lx.pos = len(src)
			}
			lx.emit(start, clsCom)
			continue
		case c == '"' || c == '\'':
			lx.scanString(false)
			lx.emit(start, clsStr)
		case c >= '0' && c <= '9' || c == '.' && lx.pos+1 < len(src) && src[lx.pos+1] >= '0' && src[lx.pos+1] <= '9':
			lx.scanNumber()
			lx.emit(start, clsNum)
		case c == '@' && lx.lineStart:
			lx.pos++
			for lx.pos < len(src) {
				r, n := utf8.DecodeRuneInString(src[lx.pos:])
				if !(isIdent(r) || r == '.') {
					break
				}
				lx.pos += n
			}
			lx.emit(start, clsDec)
		default:
			r, n := utf8.DecodeRuneInString(src[lx.pos:])
			if !isIdentStart(r) {
				switch c {
				case '(', '[', '{':
					lx.depth++
				case ')', ']', '}':
					if lx.depth > 0 {
						lx.depth--
					}
				}
				lx.pos += n
				lx.afterDef = false
				break
			}
			lx.pos += n
			for lx.pos < len(src) {
				r, n := utf8.DecodeRuneInString(src[lx.pos:])
				if !isIdent(r) {
					break
				}
				lx.pos += n
			}
			word := src[start:lx.pos]
			// A string prefix (r, b, f, rb, ...) glued to a quote.
			if lx.pos < len(src) && (src[lx.pos] == '"' || src[lx.pos] == '\'') && isStringPrefix(word) {
				lx.scanString(strings.ContainsAny(word, "fFtT"))
				lx.emit(start, clsStr)
				break
			}
			switch {
			case lx.afterDef:
				lx.emit(start, clsDef)
				lx.afterDef = false
			case keywords[word]:
				lx.emit(start, clsKey)
				lx.afterDef = word == "def" || word == "class"
			case softKeywords[word] && lx.lineStart && lx.softKeywordFollows():
				lx.emit(start, clsKey)
			case builtins[word]:
				lx.emit(start, clsBi)
			}
		}
		lx.lineStart = false
	}
}

// softKeywordFollows guesses whether match/case/type just scanned starts a
// statement (match x:, type T = int) rather than being a name (match = 1,
// match.group()).
func (lx *lexer) softKeywordFollows() bool {
	rest := lx.src[lx.pos:]
	if i := strings.IndexByte(rest, '\n'); i >= 0 {
		rest = rest[:i]
	}
	t := strings.TrimLeft(rest, " \t")
	if t == "" || strings.IndexByte("=.,)]}:;", t[0]) >= 0 {
		return false
	}
	if lx.src[lx.pos-1] == 'e' && strings.HasSuffix(lx.src[:lx.pos], "type") {
		r, _ := utf8.DecodeRuneInString(t)
		return len(t) < len(rest) && isIdentStart(r)
	}
	if i := strings.IndexByte(t, '#'); i >= 0 {
		t = t[:i]
	}
	return strings.HasSuffix(strings.TrimRight(t, " \t"), ":")
}

func isIdentStart(r rune) bool {
	return r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= 0x80 && (unicode.IsLetter(r) || unicode.Is(unicode.Nl, r))
}

func isIdent(r rune) bool {
	return isIdentStart(r) || r >= '0' && r <= '9' || r >= 0x80 && (unicode.IsDigit(r) || unicode.IsMark(r) || unicode.Is(unicode.Pc, r))
}

func isStringPrefix(w string) bool {
	if len(w) > 3 {
		return false
	}
	for i := 0; i < len(w); i++ {
		if !strings.ContainsRune("rRbBuUfFtT", rune(w[i])) {
			return false
		}
	}
	return true
}

func (lx *lexer) scanNumber() {
	src := lx.src
	for lx.pos < len(src) {
		c := src[lx.pos]
		switch {
		case c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '.':
			lx.pos++
			// An exponent's sign: 1e-5, but not 0xe - 1.
			if (c == 'e' || c == 'E') && lx.pos < len(src) && (src[lx.pos] == '-' || src[lx.pos] == '+') &&
				!strings.HasPrefix(strings.ToLower(src[lx.pos-2:]), "0x") && !strings.ContainsAny(lx.curNumber(), "xX") {
				lx.pos++
			}
		default:
			return
		}
	}
}

func (lx *lexer) curNumber() string {
	i := lx.pos - 1
	for i > 0 && isNumByte(lx.src[i-1]) {
		i--
	}
	return lx.src[i:lx.pos]
}

func isNumByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '.'
}

// scanString scans a string literal starting at the quote under pos. A
// template (f- or t-string) may hold replacement fields with nested strings
// of the same quote (Python 3.12+), which must not end it.
func (lx *lexer) scanString(template bool) {
	src := lx.src
	q := src[lx.pos]
	triple := strings.HasPrefix(src[lx.pos:], strings.Repeat(string(q), 3))
	if triple {
		lx.pos += 3
	} else {
		lx.pos++
	}
	for lx.pos < len(src) {
		c := src[lx.pos]
		switch {
		case c == '\\':
			lx.pos += 2
		case c == q:
			if !triple {
				lx.pos++
				return
			}
			if strings.HasPrefix(src[lx.pos:], strings.Repeat(string(q), 3)) {
				lx.pos += 3
				return
			}
			lx.pos++
		case c == '\n' && !triple:
			return // unterminated: stop at the end of the line
		case c == '{' && template:
			if lx.pos+1 < len(src) && src[lx.pos+1] == '{' {
				lx.pos += 2
				continue
			}
			lx.pos++
			lx.scanField(triple)
		default:
			lx.pos++
		}
	}
	if lx.pos > len(src) {
		lx.pos = len(src)
	}
}

// scanField skips a replacement field's expression up to its closing brace.
func (lx *lexer) scanField(triple bool) {
	src := lx.src
	depth := 0
	for lx.pos < len(src) {
		c := src[lx.pos]
		switch c {
		case '\n':
			if !triple && depth == 0 {
				return
			}
			lx.pos++
		case '{', '[', '(':
			depth++
			lx.pos++
		case ']', ')':
			depth--
			lx.pos++
		case '}':
			lx.pos++
			if depth == 0 {
				return
			}
			depth--
		case '"', '\'':
			// A nested string, possibly itself a template.
			p := lx.pos
			for p > 0 && isNumByte(src[p-1]) {
				p--
			}
			lx.scanString(strings.ContainsAny(src[p:lx.pos], "fFtT"))
		default:
			lx.pos++
		}
	}
}
