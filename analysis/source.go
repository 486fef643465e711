package analysis

import (
	"bytes"
	"regexp"
	"strings"
	"unicode/utf8"
)

var codingRE = regexp.MustCompile(`^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)`)

// PythonSource decodes raw file bytes as coverage.py's get_python_source
// does: newlines normalised to \n, form feeds to spaces, PEP 263 encoding
// (UTF-8 and Latin-1 families; anything else is read as UTF-8), invalid
// bytes replaced, and a final newline added.
func PythonSource(raw []byte) string {
	b := bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n"))
	b = bytes.ReplaceAll(b, []byte("\r"), []byte("\n"))
	b = bytes.ReplaceAll(b, []byte("\f"), []byte(" "))
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	var s string
	if isLatin1(declaredEncoding(b)) {
		var sb strings.Builder
		for _, c := range b {
			sb.WriteRune(rune(c))
		}
		s = sb.String()
	} else if utf8.Valid(b) {
		s = string(b)
	} else {
		var sb strings.Builder
		for len(b) > 0 {
			r, n := utf8.DecodeRune(b)
			sb.WriteRune(r) // RuneError for each invalid byte, like "replace"
			b = b[n:]
		}
		s = sb.String()
	}
	if s != "" && !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return s
}

func declaredEncoding(b []byte) string {
	for i := 0; i < 2; i++ {
		line := b
		if j := bytes.IndexByte(b, '\n'); j >= 0 {
			line, b = b[:j], b[j+1:]
		} else {
			b = nil
		}
		if m := codingRE.FindSubmatch(line); m != nil {
			return strings.ToLower(string(m[1]))
		}
		t := bytes.TrimLeft(line, " \t\f")
		if len(t) > 0 && t[0] != '#' {
			break
		}
	}
	return "utf-8"
}

func isLatin1(enc string) bool {
	enc = strings.ReplaceAll(enc, "_", "-")
	switch {
	case enc == "latin-1", enc == "iso-8859-1", enc == "iso8859-1", enc == "latin1", enc == "l1",
		strings.HasPrefix(enc, "latin-1-"), strings.HasPrefix(enc, "iso-8859-1-"), strings.HasPrefix(enc, "iso-latin-1"):
		return true
	}
	return false
}
