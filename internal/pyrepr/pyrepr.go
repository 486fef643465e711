// Package pyrepr owns writing Go strings the way Python's repr() writes a
// str, for the messages and regex texts covkit must word exactly as
// coverage.py does.
package pyrepr

import (
	"fmt"
	"strings"
	"unicode"
)

// Str returns repr(s) as CPython 3 computes it: single quotes unless the
// text holds a single quote and no double quote; backslash, the quote, \t,
// \n and \r escaped; other characters that are not printable (str.isprintable)
// as \xhh, \uhhhh or \Uhhhhhhhh.
func Str(s string) string {
	q := '\''
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		q = '"'
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteRune(q)
	for _, r := range s {
		switch {
		case r == '\\' || r == q:
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == unicode.ReplacementChar || printable(r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x10000:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	b.WriteRune(q)
	return b.String()
}

// printable is Python's str.isprintable for one character: everything but
// the categories Cc, Cf, Cs, Co, Cn, Zl, Zp and Zs other than the space.
func printable(r rune) bool {
	if r == ' ' {
		return true
	}
	return unicode.IsPrint(r)
}
