package report

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// pyRepr formats f the way Python's repr(float) does: the shortest string
// that round-trips, in fixed notation for exponents in [-4, 16), always with
// a fractional part or an exponent.
func pyRepr(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "Infinity" // what json.dumps writes
	case math.IsInf(f, -1):
		return "-Infinity"
	case math.IsNaN(f):
		return "NaN"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±XX
	mant, expS, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expS)
	neg := strings.HasPrefix(mant, "-")
	mant = strings.TrimPrefix(mant, "-")
	digits := strings.Replace(mant, ".", "", 1)
	sign := ""
	if neg {
		sign = "-"
	}
	if exp < -4 || exp >= 16 {
		m := digits[:1]
		if len(digits) > 1 {
			m += "." + digits[1:]
		}
		es := "+"
		if exp < 0 {
			es = "-"
			exp = -exp
		}
		return sign + m + "e" + es + pad2(exp)
	}
	if exp < 0 {
		return sign + "0." + strings.Repeat("0", -exp-1) + digits
	}
	if len(digits) <= exp+1 {
		return sign + digits + strings.Repeat("0", exp+1-len(digits)) + ".0"
	}
	return sign + digits[:exp+1] + "." + digits[exp+1:]
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// pyFormatG is Python's format(f, ".4g") style for a given precision.
func pyFormatG(f float64, prec int) string {
	s := strconv.FormatFloat(f, 'g', prec, 64)
	// Go and Python agree on %g except that Go may print a one-digit
	// exponent; Python always prints at least two.
	if i := strings.IndexByte(s, 'e'); i >= 0 {
		mant, exp := s[:i], s[i+1:]
		sign := exp[:1]
		digits := exp[1:]
		if len(digits) < 2 {
			digits = "0" + digits
		}
		s = mant + "e" + sign + digits
	}
	return s
}

// pyRound is Python's round(f, ndigits) for floats: correctly rounded, ties
// to even on the exact binary value.
func pyRound(f float64, ndigits int) float64 {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return f
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(f, 'f', ndigits, 64), 64)
	if err != nil {
		return f
	}
	return r
}

// jsonString quotes s as Python's json.dumps does with ensure_ascii=True.
func jsonString(b *strings.Builder, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch c {
			case '"':
				b.WriteString(`\"`)
			case '\\':
				b.WriteString(`\\`)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			case '\b':
				b.WriteString(`\b`)
			case '\f':
				b.WriteString(`\f`)
			default:
				if c < 0x20 {
					b.WriteString(`\u00`)
					b.WriteByte(hex[c>>4])
					b.WriteByte(hex[c&0xf])
				} else {
					b.WriteByte(c)
				}
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		writeU := func(u rune) {
			b.WriteString(`\u`)
			b.WriteByte(hex[(u>>12)&0xf])
			b.WriteByte(hex[(u>>8)&0xf])
			b.WriteByte(hex[(u>>4)&0xf])
			b.WriteByte(hex[u&0xf])
		}
		if r >= 0x10000 {
			r -= 0x10000
			writeU(0xd800 + (r>>10)&0x3ff)
			writeU(0xdc00 + r&0x3ff)
		} else {
			writeU(r)
		}
	}
	b.WriteByte('"')
}

var digitsRE = regexp.MustCompile(`\d+`)

// humanKey splits s into alternating text and number chunks, like
// coverage.py's misc._human_key.
type humanKey struct {
	parts []string // text at even indexes, digits at odd
	s     string
}

func makeHumanKey(s string) humanKey {
	locs := digitsRE.FindAllStringIndex(s, -1)
	parts := make([]string, 0, 2*len(locs)+1)
	prev := 0
	for _, l := range locs {
		parts = append(parts, s[prev:l[0]], s[l[0]:l[1]])
		prev = l[1]
	}
	parts = append(parts, s[prev:])
	return humanKey{parts, s}
}

// cmpDigits compares two ASCII digit strings as integers.
func cmpDigits(a, b string) int {
	a = strings.TrimLeft(a, "0")
	b = strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

// pyStrCompare compares strings by code point, as Python does.
func pyStrCompare(a, b string) int {
	// For valid UTF-8, byte order equals code point order.
	return strings.Compare(a, b)
}

func compareHuman(a, b humanKey) int {
	n := min(len(a.parts), len(b.parts))
	for i := 0; i < n; i++ {
		var c int
		if i%2 == 1 {
			c = cmpDigits(a.parts[i], b.parts[i])
		} else {
			c = pyStrCompare(a.parts[i], b.parts[i])
		}
		if c != 0 {
			return c
		}
	}
	if len(a.parts) != len(b.parts) {
		if len(a.parts) < len(b.parts) {
			return -1
		}
		return 1
	}
	return pyStrCompare(a.s, b.s)
}

// HumanLess reports whether a sorts before b in coverage.py's human order:
// runs of digits compare as numbers.
func HumanLess(a, b string) bool { return compareHuman(makeHumanKey(a), makeHumanKey(b)) < 0 }

func decodeRune(s string) (rune, int) { return utf8.DecodeRuneInString(s) }
