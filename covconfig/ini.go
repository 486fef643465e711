package covconfig

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/covkit/covkit/internal/pyrepr"
)

// iniFile is what Python's configparser.ConfigParser(interpolation=None)
// makes of a file, with the line every option starts on.
type iniFile struct {
	sections []*iniSection // in file order, without DEFAULT
	byName   map[string]*iniSection
	defaults *iniSection
}

type iniSection struct {
	name string
	line int
	opts []*iniOption
	byK  map[string]*iniOption
}

type iniOption struct {
	key   string
	value string
	line  int
	lines []string // raw value lines while reading
}

func newSection(name string, line int) *iniSection {
	return &iniSection{name: name, line: line, byK: map[string]*iniOption{}}
}

// parseINI reads src like configparser does with its default settings:
// "=" and ":" delimiters, "#" and ";" whole-line comments only, values
// continued on lines indented deeper than the option, blank lines kept
// inside values, duplicate sections and options are errors, option names
// lower-cased, a [DEFAULT] section whose options every section inherits.
func parseINI(name string, src []byte) (*iniFile, error) {
	if !utf8.Valid(src) {
		return nil, &Error{File: name, Line: badUTF8Line(src), Msg: "invalid UTF-8"}
	}
	text := strings.ReplaceAll(string(src), "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	lines := strings.SplitAfter(text, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	f := &iniFile{byName: map[string]*iniSection{}, defaults: newSection("DEFAULT", 0)}
	var (
		cur         *iniSection
		opt         *iniOption
		indentLevel int
		perr        *Error
		added       = map[string]bool{}
	)
	for i, raw := range lines {
		lineno := i + 1
		trimmed := pyStrip(raw)
		clean := trimmed
		if strings.HasPrefix(trimmed, "#") || strings.HasPrefix(trimmed, ";") {
			clean = ""
		}
		if clean == "" {
			// A blank line belongs to the value being read; a comment does not.
			if trimmed == "" && cur != nil && opt != nil {
				opt.lines = append(opt.lines, "")
			}
			continue
		}
		indent := 0
		for _, r := range raw {
			if !pyIsSpace(r) {
				break
			}
			indent++
		}
		if cur != nil && opt != nil && indent > indentLevel {
			opt.lines = append(opt.lines, clean)
			continue
		}
		indentLevel = indent
		if header, ok := sectionHeader(clean); ok {
			if s, exists := f.byName[header]; exists {
				if added[header] {
					return nil, &Error{File: name, Line: lineno, Msg: fmt.Sprintf("section %s already exists", pyrepr.Str(header))}
				}
				cur = s
			} else if header == "DEFAULT" {
				cur = f.defaults
			} else {
				cur = newSection(header, lineno)
				f.sections = append(f.sections, cur)
				f.byName[header] = cur
			}
			added[header] = true
			opt = nil
			continue
		}
		if cur == nil {
			return nil, &Error{File: name, Line: lineno, Msg: "file contains no section headers: " + pyrepr.Str(strings.TrimRight(raw, "\n"))}
		}
		d := strings.IndexAny(clean, "=:")
		if d < 0 {
			if perr == nil {
				perr = &Error{File: name, Line: lineno, Msg: "parsing error: " + pyrepr.Str(strings.TrimRight(raw, "\n"))}
			}
			// configparser goes on reading; deeper lines still continue the
			// option before this one.
			continue
		}
		key := strings.ToLower(pyRstrip(clean[:d]))
		if key == "" && perr == nil {
			perr = &Error{File: name, Line: lineno, Msg: "parsing error: " + pyrepr.Str(strings.TrimRight(raw, "\n"))}
		}
		dupKey := cur.name + "\x00" + key
		if added[dupKey] {
			return nil, &Error{File: name, Line: lineno, Msg: fmt.Sprintf("option %s in section %s already exists", pyrepr.Str(key), pyrepr.Str(cur.name))}
		}
		added[dupKey] = true
		o := &iniOption{key: key, line: lineno, lines: []string{pyStrip(clean[d+1:])}}
		cur.opts = append(cur.opts, o)
		cur.byK[key] = o
		opt = o
	}
	for _, s := range append([]*iniSection{f.defaults}, f.sections...) {
		for _, o := range s.opts {
			o.value = pyRstrip(strings.Join(o.lines, "\n"))
			o.lines = nil
		}
	}
	if perr != nil {
		return nil, perr
	}
	return f, nil
}

// sectionHeader is configparser's SECTCRE: "[", at least one character,
// and the last "]" of the line; anything after that is ignored.
func sectionHeader(clean string) (string, bool) {
	if !strings.HasPrefix(clean, "[") {
		return "", false
	}
	j := strings.LastIndex(clean, "]")
	if j < 2 {
		return "", false
	}
	return clean[1:j], true
}

func badUTF8Line(src []byte) int {
	line := 1
	for len(src) > 0 {
		r, n := utf8.DecodeRune(src)
		if r == utf8.RuneError && n == 1 {
			return line
		}
		if r == '\n' {
			line++
		}
		src = src[n:]
	}
	return line
}

// hasSection is configparser's has_section (DEFAULT is not a section).
func (f *iniFile) hasSection(name string) bool { return f.byName[name] != nil }

// lookup finds option in section or, failing that, in DEFAULT.
func (f *iniFile) lookup(section, option string) *iniOption {
	s := f.byName[section]
	if s == nil {
		return nil
	}
	if o := s.byK[option]; o != nil {
		return o
	}
	return f.defaults.byK[option]
}

// options lists a section's options followed by inherited DEFAULT ones.
func (f *iniFile) options(section string) []string {
	s := f.byName[section]
	if s == nil {
		return nil
	}
	var out []string
	for _, o := range s.opts {
		out = append(out, o.key)
	}
	for _, o := range f.defaults.opts {
		if s.byK[o.key] == nil {
			out = append(out, o.key)
		}
	}
	return out
}

// pyIsSpace is Python's str.isspace for one character.
func pyIsSpace(r rune) bool {
	return unicode.IsSpace(r) || r >= 0x1c && r <= 0x1f
}

func pyStrip(s string) string  { return strings.TrimFunc(s, pyIsSpace) }
func pyRstrip(s string) string { return strings.TrimRightFunc(s, pyIsSpace) }

// pySplitlines is Python's str.splitlines.
func pySplitlines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch r {
		case '\n', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
			out = append(out, s[start:i])
			i += n
			start = i
			continue
		case '\r':
			out = append(out, s[start:i])
			i += n
			if i < len(s) && s[i] == '\n' {
				i++
			}
			start = i
			continue
		}
		i += n
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}
