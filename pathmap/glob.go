package pathmap

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/covkit/covkit/internal/pyrepr"
)

// PatternError is a file pattern coverage.py would refuse.
type PatternError struct {
	Pattern string
	Msg     string
}

func (e *PatternError) Error() string { return e.Msg }

// globRegex translates one file pattern the way coverage.py 7.x's
// files._glob_to_regex does, into Go regexp syntax with the same meaning:
//
//   - backslashes are turned into slashes first, and a pattern with no slash
//     gets "**/" in front (it matches a file name anywhere);
//   - "/" matches either slash or backslash;
//   - "*" matches within one path component, "?" one character of one;
//   - "**/" matches any number of directories, including none, and so does
//     "*/" or "**/" at the very start; "/*" or "/**" at the very end matches
//     everything below;
//   - "[...]" is a Python regex character class, up to the first "]";
//   - "***", "x**", "**x" and "**/**" are errors, as are lone brackets.
//
// It first builds the very Python regex text coverage.py builds, then
// translates that, so that odd classes ("[]", "[^]", which Python lets run
// on into the following regex text) mean what they mean to coverage.py.
func globRegex(pattern string) (string, error) {
	py, err := globPyRegex(pattern)
	if err != nil {
		return "", err
	}
	rx, err := pyRegexToGo(py)
	if err != nil {
		return "", &PatternError{Pattern: pattern, Msg: err.Error()}
	}
	return rx, nil
}

// globPyRegex is coverage.py's _glob_to_regex, returning Python regex text.
func globPyRegex(pattern string) (string, error) {
	p := strings.ReplaceAll(pattern, `\`, "/")
	if !strings.Contains(p, "/") {
		p = "**/" + p
	}
	var b strings.Builder
	refuse := func(what string) error {
		return &PatternError{Pattern: pattern, Msg: "File pattern can't include " + pyrepr.Str(what)}
	}
	for pos := 0; pos < len(p); {
		rest := p[pos:]
		stars := len(rest) - len(strings.TrimLeft(rest, "*"))
		segEnd := strings.IndexByte(rest, '/')
		if segEnd < 0 {
			segEnd = len(rest)
		}
		seg := rest[:segEnd]
		switch {
		case stars >= 3: // ***
			return "", refuse(rest[:stars])
		case len(seg) > 2 && strings.Contains(seg[1:], "**"): // x**
			j := strings.LastIndex(seg[1:], "**") + 1
			return "", refuse(seg[:j+2])
		case stars == 2 && len(seg) > 2: // **x
			return "", refuse(seg)
		case strings.HasPrefix(rest, "**/**"):
			return "", refuse("**/**")
		case pos == 0 && stars > 0 && len(rest) > stars && rest[stars] == '/':
			b.WriteString(`(.*[/\\])?`)
			pos += stars + 1
		case rest[0] == '/' && endStars(rest[1:]) > 0:
			b.WriteString(`[/\\].*`)
			pos += 1 + endStars(rest[1:])
		case strings.HasPrefix(rest, "**/"):
			b.WriteString(`(.*[/\\])?`)
			pos += 3
		case rest[0] == '/':
			b.WriteString(`[/\\]`)
			pos++
		case rest[0] == '*':
			b.WriteString(`[^/\\]*`)
			pos++
		case rest[0] == '?':
			b.WriteString(`[^/\\]`)
			pos++
		case rest[0] == '[' && classEnd(rest) > 0:
			k := classEnd(rest)
			b.WriteString(rest[:k+1])
			pos += k + 1
		case isWord(rest[0]):
			n := 1
			for n < len(rest) && isWord(rest[n]) {
				n++
			}
			b.WriteString(rest[:n])
			pos += n
		case rest[0] == '[' || rest[0] == ']':
			return "", refuse(rest[:1])
		case rest[0] == '\n':
			// coverage.py loops forever on this; no config value can hold one.
			return "", &PatternError{Pattern: pattern, Msg: "File pattern can't include a newline"}
		default:
			_, n := utf8.DecodeRuneInString(rest)
			b.WriteByte('\\')
			b.WriteString(rest[:n])
			pos += n
		}
	}
	return b.String(), nil
}

// endStars reports how many stars s is made of when s is only stars,
// optionally followed by one newline (Python's "$"), else 0.
func endStars(s string) int {
	n := len(s) - len(strings.TrimLeft(s, "*"))
	if n > 0 && (n == len(s) || s[n:] == "\n") {
		return n
	}
	return 0
}

// classEnd is the index of the "]" closing the class that rest starts with
// (Python's lazy `\[.*?\]`), or -1.
func classEnd(rest string) int {
	for i := 1; i < len(rest); i++ {
		switch rest[i] {
		case ']':
			return i
		case '\n':
			return -1
		}
	}
	return -1
}

func isWord(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// pyRegexToGo translates the Python regex text globPyRegex makes: literal
// word characters, backslash-escaped other characters, the groups and
// quantifiers coverage.py emits, and character classes with Python's
// rules (a "]" first in a class is a member; ranges must ascend).
func pyRegexToGo(py string) (string, error) {
	var b strings.Builder
	rs := []rune(py)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; r {
		case '\\':
			if i+1 >= len(rs) {
				return "", fmt.Errorf("bad escape (end of pattern)")
			}
			i++
			b.WriteString(goLiteral(rs[i]))
		case '[':
			n, cls, err := pyClassToGo(rs[i+1:])
			if err != nil {
				return "", err
			}
			b.WriteString(cls)
			i += n
		case '(', ')', '?', '*', '.', '|':
			b.WriteRune(r)
		default:
			b.WriteString(goLiteral(r))
		}
	}
	return b.String(), nil
}

// pyClassToGo parses a Python character class after its "[" and returns
// how many runes it used (through the closing "]") and the Go class.
func pyClassToGo(rs []rune) (int, string, error) {
	i := 0
	next := func() (rune, bool, bool) { // rune, escaped, ok
		if i >= len(rs) {
			return 0, false, false
		}
		r := rs[i]
		i++
		if r == '\\' {
			if i >= len(rs) {
				return 0, false, false
			}
			// Only "\\" and non-word characters are ever escaped here, and
			// Python reads those as the character itself.
			r = rs[i]
			i++
			return r, true, true
		}
		return r, false, true
	}
	var b strings.Builder
	b.WriteByte('[')
	if i < len(rs) && rs[i] == '^' {
		b.WriteByte('^')
		i++
	}
	members := 0
	for {
		lo, esc, ok := next()
		if !ok {
			return 0, "", fmt.Errorf("unterminated character set")
		}
		if lo == ']' && !esc && members > 0 {
			break
		}
		if i < len(rs) && rs[i] == '-' {
			i++
			hi, hesc, ok := next()
			if !ok {
				return 0, "", fmt.Errorf("unterminated character set")
			}
			if hi == ']' && !hesc {
				fmt.Fprintf(&b, `\x{%x}\x{2d}`, lo)
				break
			}
			if hi < lo {
				return 0, "", fmt.Errorf("bad character range %c-%c", lo, hi)
			}
			fmt.Fprintf(&b, `\x{%x}-\x{%x}`, lo, hi)
		} else {
			fmt.Fprintf(&b, `\x{%x}`, lo)
		}
		members++
	}
	b.WriteByte(']')
	return i, b.String(), nil
}

func goLiteral(r rune) string {
	if r == utf8.RuneError {
		return `\x{fffd}`
	}
	return regexp.QuoteMeta(string(r))
}

// GlobMatcher matches file paths against include/omit patterns exactly as
// coverage.py's GlobMatcher does on POSIX (case-sensitive; "/" in a pattern
// matches either slash).
type GlobMatcher struct {
	patterns []string
	re       *regexp.Regexp
}

// CompileGlobs builds a matcher for patterns as given (no prep_patterns).
func CompileGlobs(patterns []string) (*GlobMatcher, error) {
	parts := make([]string, 0, len(patterns))
	for _, p := range patterns {
		rx, err := globRegex(p)
		if err != nil {
			return nil, err
		}
		parts = append(parts, "(?:"+rx+")")
	}
	// With no patterns this matches only "", as coverage.py's would.
	src := `^(?:` + strings.Join(parts, "|") + `)\z`
	re, err := regexp.Compile(src)
	if err != nil {
		return nil, fmt.Errorf("file patterns %q: %w", patterns, err)
	}
	return &GlobMatcher{patterns: patterns, re: re}, nil
}

// PrepPatterns is coverage.py's prep_patterns: every pattern is kept, and
// one not starting with "*" or "?" is also added made absolute (symlinks
// resolved) against dir ("" for the working directory).
func PrepPatterns(patterns []string, dir string) []string {
	cwd := getwd(dir)
	var out []string
	for _, p := range patterns {
		out = append(out, p)
		if !strings.HasPrefix(p, "*") && !strings.HasPrefix(p, "?") {
			out = append(out, absFile(p, cwd))
		}
	}
	return out
}

// NewGlobMatcher is the matcher coverage.py builds for [run] or [report]
// include/omit: GlobMatcher(prep_patterns(patterns)), with relative patterns
// resolved against relativeTo ("" for the working directory).
func NewGlobMatcher(patterns []string, relativeTo string) (*GlobMatcher, error) {
	return CompileGlobs(PrepPatterns(patterns, relativeTo))
}

// Match reports whether path matches one of the patterns.
func (g *GlobMatcher) Match(path string) bool { return g.re.MatchString(path) }

// Patterns returns the patterns the matcher was built from.
func (g *GlobMatcher) Patterns() []string { return g.patterns }
