package pysource

import (
	"bytes"
	_ "embed"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"
)

var cookieRE = regexp.MustCompile(`^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)`)
var blankRE = regexp.MustCompile(`^[ \t\f]*(?:[#\r\n]|$)`)

// codecNames lists the names CPython 3.11-3.14's codecs.lookup accepts
// (encodings.aliases and the encodings modules), one a line.
//
//go:embed codecs.txt
var codecNames string

var knownCodecs = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, n := range strings.Fields(codecNames) {
		m[codecKey(n)] = true
	}
	return m
})

// codecKey normalizes an encoding name as codecs.lookup does: lower case,
// runs of other characters than letters, digits and dots as one "_".
func codecKey(name string) string {
	var b strings.Builder
	under := false
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' {
			if under && b.Len() > 0 {
				b.WriteByte('_')
			}
			under = false
			b.WriteRune(r)
		} else {
			under = true
		}
	}
	return b.String()
}

func knownCodec(name string) bool {
	k := codecKey(name)
	return knownCodecs()[k] || knownCodecs()[strings.ReplaceAll(k, ".", "_")]
}

// EncodingError is what Python's tokenize.detect_encoding raises for a
// source whose encoding cannot be known: coverage.py reports such a file
// as "Couldn't parse '...': <message>" (with -i), and fails otherwise.
type EncodingError struct{ Msg string }

func (e *EncodingError) Error() string { return e.Msg }

// Decode turns the bytes of a source file into the text coverage.py analyzes
// (coverage.python.get_python_source): \r\n and \r become \n, form feeds
// become spaces, the PEP 263 encoding (BOM or coding cookie) is decoded with
// undecodable bytes replaced by U+FFFD, and a final newline is added. A file
// whose encoding cannot be known (see DecodeSource) is read as UTF-8.
func Decode(src []byte) string {
	s, _ := decode(src)
	return s
}

// DecodeSource is Decode failing, with an *EncodingError, where coverage.py
// does: a first line (or second, after a blank or comment first line) that
// is not UTF-8, a coding cookie naming an encoding Python does not know, or
// a UTF-8 BOM with a cookie naming another encoding.
func DecodeSource(src []byte) (string, error) { return decode(src) }

func decode(src []byte) (string, error) {
	enc, err := sourceEncoding(src)
	b := bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))
	b = bytes.ReplaceAll(b, []byte("\r"), []byte("\n"))
	b = bytes.ReplaceAll(b, []byte("\f"), []byte(" "))
	var s string
	switch enc {
	case "utf-8-sig":
		s = decodeUTF8(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")))
	case "latin-1", "iso-8859-1", "iso8859-1", "latin1", "l1", "cp819", "iso-latin-1", "8859":
		rs := make([]rune, len(b))
		for i, c := range b {
			rs[i] = rune(c)
		}
		s = string(rs)
	case "ascii", "us-ascii", "646":
		var sb strings.Builder
		for _, c := range b {
			if c < 0x80 {
				sb.WriteByte(c)
			} else {
				sb.WriteRune(utf8.RuneError)
			}
		}
		s = sb.String()
	default:
		s = decodeUTF8(b)
	}
	if s != "" && s[len(s)-1] != '\n' {
		s += "\n"
	}
	return s, err
}

func decodeUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// sourceEncoding follows tokenize.detect_encoding on the raw bytes (lines
// end at \n only, as readline reads them), normalized to the names Decode
// knows; the error is detect_encoding's SyntaxError.
func sourceEncoding(b []byte) (string, error) {
	bom := bytes.HasPrefix(b, []byte("\xef\xbb\xbf"))
	def := "utf-8"
	if bom {
		b, def = b[3:], "utf-8-sig"
	}
	lines := bytes.SplitAfterN(b, []byte("\n"), 3)
	for i := 0; i < 2 && i < len(lines); i++ {
		if len(lines[i]) == 0 {
			break
		}
		enc, found, err := findCookie(lines[i], bom)
		if err != nil {
			return def, err
		}
		if found {
			return enc, nil
		}
		if !blankRE.Match(lines[i]) {
			break
		}
	}
	return def, nil
}

// findCookie is detect_encoding's find_cookie for one line.
func findCookie(line []byte, bom bool) (enc string, found bool, err error) {
	if !utf8.Valid(line) {
		return "", false, &EncodingError{"invalid or missing encoding declaration"}
	}
	m := cookieRE.FindSubmatch(line)
	if m == nil {
		return "", false, nil
	}
	enc = normEncoding(string(m[1]))
	if !knownCodec(enc) {
		return "", false, &EncodingError{"unknown encoding: " + enc}
	}
	if bom {
		if enc != "utf-8" {
			return "", false, &EncodingError{"encoding problem: utf-8"}
		}
		return "utf-8-sig", true, nil
	}
	return enc, true, nil
}

// normEncoding is tokenize's _get_normal_name.
func normEncoding(name string) string {
	n := name
	if len(n) > 12 {
		n = n[:12]
	}
	n = strings.ToLower(strings.ReplaceAll(n, "_", "-"))
	if n == "utf-8" || strings.HasPrefix(n, "utf-8-") {
		return "utf-8"
	}
	if n == "latin-1" || n == "iso-8859-1" || n == "iso-latin-1" || strings.HasPrefix(n, "latin-1-") || strings.HasPrefix(n, "iso-8859-1-") || strings.HasPrefix(n, "iso-latin-1-") {
		return "iso-8859-1"
	}
	return name
}
