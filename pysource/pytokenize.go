package pysource

import "strings"

// pyTokenizeError tells how Python's pure tokenize module (3.11 and older:
// 3.12's wraps the C tokenizer) fails on text, which coverage.py 6.x runs
// over the whole file before compiling it, so that its failure wins: "EOF
// in multi-line statement" (brackets of any kinds left unbalanced, in either
// direction, or a backslash continuation at the end, reported at the line
// after the last), "EOF in multi-line string" (at the string's first line),
// or "unindent does not match any outer indentation level". tokenize does
// not fail on an unterminated single-quoted string: it yields its quote as
// an error token and goes on after it.
func pyTokenizeError(text string) (msg string, line int, ok bool) {
	lines := strings.SplitAfter(text, "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	parenlev, continued := 0, false
	inString, strStart := "", 0 // the closing quote of a string spanning lines
	indents := []int{0}
	for i, l := range lines {
		lnum := i + 1
		pos := 0
		switch {
		case inString != "":
			end, open := scanPyString(l, 0, inString)
			if open {
				continue
			}
			if end < 0 { // a single-quoted string not continued: error token
				inString = ""
				continue
			}
			inString, pos = "", end
		case parenlev == 0 && !continued:
			col := 0
			for pos < len(l) {
				switch l[pos] {
				case ' ':
					col++
				case '\t':
					col = (col/8 + 1) * 8
				case '\f':
					col = 0
				default:
					goto measured
				}
				pos++
			}
		measured:
			if pos == len(l) || l[pos] == '#' || l[pos] == '\n' || l[pos] == '\r' {
				continue // blank line or comment: no indentation
			}
			if col > indents[len(indents)-1] {
				indents = append(indents, col)
			}
			for col < indents[len(indents)-1] {
				if !containsInt(indents, col) {
					return "unindent does not match any outer indentation level", lnum, true
				}
				indents = indents[:len(indents)-1]
			}
		default:
			continued = false
		}
		for pos < len(l) {
			c := l[pos]
			switch {
			case c == '#' || c == '\n':
				pos = len(l)
			case c == '\\' && pos+1 < len(l) && l[pos+1] == '\n':
				continued = true
				pos = len(l)
			case c == '"' || c == '\'':
				q := string(c)
				if strings.HasPrefix(l[pos:], strings.Repeat(q, 3)) {
					q = strings.Repeat(q, 3)
				}
				end, open := scanPyString(l, pos+len(q), q)
				switch {
				case open:
					inString, strStart = q, lnum
					pos = len(l)
				case end < 0:
					pos++ // the quote alone is an error token
				default:
					pos = end
				}
			case strings.IndexByte("([{", c) >= 0:
				parenlev++
				pos++
			case strings.IndexByte(")]}", c) >= 0:
				parenlev--
				pos++
			default:
				pos++
			}
		}
	}
	switch {
	case inString != "":
		return "EOF in multi-line string", strStart, true
	case parenlev != 0 || continued:
		return "EOF in multi-line statement", len(lines) + 1, true
	}
	return "", 0, false
}

// scanPyString finds the end of a string body from pos in line l, closed by
// quote q: the position after the closing quote; or open when the string
// goes on to the next line (a triple-quoted one, or a backslash-newline);
// or -1 when a single-quoted string ends with its line.
func scanPyString(l string, pos int, q string) (end int, open bool) {
	for pos < len(l) {
		switch {
		case l[pos] == '\\':
			if pos+1 < len(l) && l[pos+1] == '\n' {
				return 0, true
			}
			pos += 2
		case strings.HasPrefix(l[pos:], q):
			return pos + len(q), false
		case l[pos] == '\n' && len(q) == 1:
			return -1, false
		default:
			pos++
		}
	}
	if len(q) == 3 {
		return 0, true
	}
	return -1, false
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
