package pathmap

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// PatternError is a file pattern coverage.py would refuse.
type PatternError struct {
	Pattern string
	Msg     string
}

func (e *PatternError) Error() string { return e.Msg }

// globRegex translates one file pattern the way coverage.py 7.x's
// files._glob_to_regex does, producing Go regexp syntax with the same
// meaning as the Python regex coverage.py builds:
//
//   - backslashes are turned into slashes first, and a pattern with no slash
//     gets "**/" in front (it matches a file name anywhere);
//   - "/" matches either slash or backslash;
//   - "*" matches within one path component, "?" one character of one;
//   - "**/" matches any number of directories, including none, and so does
//     "*/" or "**/" at the very start; "/*" or "/**" at the very end matches
//     everything below;
//   - "[...]" is a character class, up to the first "]";
//   - "***", "x**", "**x" and "**/**" are errors, as are lone brackets.
func globRegex(pattern string) (string, error) {
	p := strings.ReplaceAll(pattern, `\`, "/")
	if !strings.Contains(p, "/") {
		p = "**/" + p
	}
	var b strings.Builder
	refuse := func(what string) error {
		return &PatternError{Pattern: pattern, Msg: "File pattern can't include " + pyRepr(what)}
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
			b.WriteString(`(?:.*[/\\])?`)
			pos += stars + 1
		case rest[0] == '/' && endStars(rest[1:]) > 0:
			b.WriteString(`[/\\].*`)
			pos += 1 + endStars(rest[1:])
		case strings.HasPrefix(rest, "**/"):
			b.WriteString(`(?:.*[/\\])?`)
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
			cls, err := pyClass(rest[1:k])
			if err != nil {
				return "", &PatternError{Pattern: pattern, Msg: err.Error()}
			}
			b.WriteString(cls)
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
			r, n := utf8.DecodeRuneInString(rest)
			if r == utf8.RuneError && n == 1 {
				b.WriteString(`\x{fffd}`)
			} else {
				b.WriteString(regexp.QuoteMeta(rest[:n]))
			}
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

// pyClass translates the inside of a Python regex character class that
// contains no "]" and no backslash (coverage.py turned those into slashes)
// into a Go class with the same members.
func pyClass(inner string) (string, error) {
	var b strings.Builder
	b.WriteByte('[')
	if strings.HasPrefix(inner, "^") {
		b.WriteByte('^')
		inner = inner[1:]
	}
	if inner == "" {
		// Python would read the "]" as a member and run on into whatever
		// follows; no sensible pattern does that.
		return "", fmt.Errorf("file pattern has an empty character class")
	}
	rs := []rune(inner)
	for i := 0; i < len(rs); i++ {
		lo := rs[i]
		if i+2 < len(rs) && rs[i+1] == '-' {
			hi := rs[i+2]
			if lo > hi {
				return "", fmt.Errorf("bad character range %c-%c", lo, hi)
			}
			fmt.Fprintf(&b, `\x{%x}-\x{%x}`, lo, hi)
			i += 2
			continue
		}
		fmt.Fprintf(&b, `\x{%x}`, lo)
	}
	b.WriteByte(']')
	return b.String(), nil
}

// pyRepr is Python's repr of a str, for messages that quote coverage.py's.
func pyRepr(s string) string {
	q := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == rune(q):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
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
