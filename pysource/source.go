package pysource

import (
	"bytes"
	"regexp"
	"strings"
	"unicode/utf8"
)

var cookieRE = regexp.MustCompile(`^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)`)
var blankRE = regexp.MustCompile(`^[ \t\f]*(?:[#\r\n]|$)`)

// Decode turns the bytes of a source file into the text coverage.py analyzes
// (coverage.python.get_python_source): \r\n and \r become \n, form feeds
// become spaces, the PEP 263 encoding (BOM or coding cookie) is decoded with
// undecodable bytes replaced by U+FFFD, and a final newline is added.
func Decode(src []byte) string {
	b := bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))
	b = bytes.ReplaceAll(b, []byte("\r"), []byte("\n"))
	b = bytes.ReplaceAll(b, []byte("\f"), []byte(" "))
	enc := sourceEncoding(b)
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
	return s
}

func decodeUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// sourceEncoding follows tokenize.detect_encoding, normalized to the names
// Decode knows.
func sourceEncoding(b []byte) string {
	bom := bytes.HasPrefix(b, []byte("\xef\xbb\xbf"))
	if bom {
		b = b[3:]
	}
	lines := bytes.SplitAfterN(b, []byte("\n"), 3)
	for i := 0; i < 2 && i < len(lines); i++ {
		m := cookieRE.FindSubmatch(lines[i])
		if m != nil {
			enc := normEncoding(string(m[1]))
			if bom {
				return "utf-8-sig"
			}
			return enc
		}
		if !blankRE.Match(lines[i]) {
			break
		}
	}
	if bom {
		return "utf-8-sig"
	}
	return "utf-8"
}

func normEncoding(name string) string {
	n := strings.ToLower(strings.ReplaceAll(name, "_", "-"))
	if n == "utf-8" || strings.HasPrefix(n, "utf-8-") {
		return "utf-8"
	}
	if n == "latin-1" || n == "iso-8859-1" || n == "iso-latin-1" || strings.HasPrefix(n, "latin-1-") || strings.HasPrefix(n, "iso-8859-1-") || strings.HasPrefix(n, "iso-latin-1-") {
		return "iso-8859-1"
	}
	return n
}
