package covconfig

import (
	"fmt"
	"math"
	"os/user"
	"strconv"
	"strings"
	"unicode"

	"github.com/covkit/covkit/internal/pyrepr"
)

// substitute is coverage.py's substitute_variables: $WORD, ${WORD},
// ${WORD?} (an error when WORD is not set), ${WORD-default}, and $$ for a
// dollar sign. An unset variable is empty; a "$" starting none of these
// stays as it is. WORD is Python's \w+, so "$1x" names a variable too.
func substitute(text string, lookup func(string) (string, bool)) (string, error) {
	if !strings.Contains(text, "$") {
		return text, nil
	}
	var b strings.Builder
	for i := 0; i < len(text); {
		if text[i] != '$' {
			b.WriteByte(text[i])
			i++
			continue
		}
		rest := text[i+1:]
		if strings.HasPrefix(rest, "$") {
			b.WriteByte('$')
			i += 2
			continue
		}
		if n := wordLen(rest); n > 0 {
			v, _ := lookup(rest[:n])
			b.WriteString(v)
			i += 1 + n
			continue
		}
		if strings.HasPrefix(rest, "{") {
			if n := wordLen(rest[1:]); n > 0 {
				word := rest[1 : 1+n]
				after := rest[1+n:]
				switch {
				case strings.HasPrefix(after, "}"):
					v, _ := lookup(word)
					b.WriteString(v)
					i += 1 + 1 + n + 1
					continue
				case strings.HasPrefix(after, "?}"):
					v, ok := lookup(word)
					if !ok {
						return "", fmt.Errorf("Variable %s is undefined: %s", word, pyrepr.Str(text))
					}
					b.WriteString(v)
					i += 1 + 1 + n + 2
					continue
				case strings.HasPrefix(after, "-"):
					if j := strings.IndexByte(after, '}'); j >= 0 {
						v, ok := lookup(word)
						if !ok {
							v = after[1:j]
						}
						b.WriteString(v)
						i += 1 + 1 + n + j + 1
						continue
					}
				}
			}
		}
		b.WriteByte('$')
		i++
	}
	return b.String(), nil
}

// wordLen is the length in bytes of the run of Python \w characters s
// starts with.
func wordLen(s string) int {
	for i, r := range s {
		if !(r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r)) {
			return i
		}
	}
	return len(s)
}

// boolStates is configparser's BOOLEAN_STATES.
var boolStates = map[string]bool{
	"1": true, "yes": true, "true": true, "on": true,
	"0": false, "no": false, "false": false, "off": false,
}

func iniBool(v string) (bool, error) {
	b, ok := boolStates[strings.ToLower(v)]
	if !ok {
		return false, fmt.Errorf("Not a boolean: %s", v)
	}
	return b, nil
}

// pyDigits strips the underscores Python allows between digits, or reports
// that s is not a run of digits with single underscores inside.
func pyDigits(s string) (string, bool) {
	if s == "" || s[0] == '_' || s[len(s)-1] == '_' || strings.Contains(s, "__") {
		return "", false
	}
	s = strings.ReplaceAll(s, "_", "")
	for _, c := range s {
		if c < '0' || c > '9' {
			return "", false
		}
	}
	return s, s != ""
}

// pyInt is Python's int(str) for base 10 (ASCII digits only).
func pyInt(v string) (int, error) {
	s := pyStrip(v)
	sign := ""
	if strings.HasPrefix(s, "+") || strings.HasPrefix(s, "-") {
		sign, s = s[:1], s[1:]
	}
	d, ok := pyDigits(s)
	if ok {
		if n, err := strconv.Atoi(sign + d); err == nil {
			return n, nil
		}
	}
	return 0, fmt.Errorf("invalid literal for int() with base 10: %s", pyrepr.Str(v))
}

// pyFloat is Python's float(str).
func pyFloat(v string) (float64, error) {
	bad := fmt.Errorf("could not convert string to float: %s", pyrepr.Str(v))
	s := pyStrip(v)
	body := strings.TrimLeft(s, "+-")
	if len(s)-len(body) > 1 {
		return 0, bad
	}
	switch strings.ToLower(body) {
	case "inf", "infinity":
		if strings.HasPrefix(s, "-") {
			return math.Inf(-1), nil
		}
		return math.Inf(1), nil
	case "nan":
		return math.NaN(), nil
	}
	// digits [. digits] [e [+-] digits], underscores between digits.
	mant, exp, hasExp := strings.Cut(strings.ToLower(body), "e")
	ip, fp, hasDot := strings.Cut(mant, ".")
	clean := func(part string, may bool) (string, bool) {
		if part == "" {
			return "", may
		}
		return pyDigits(part)
	}
	ipc, ok1 := clean(ip, hasDot && fp != "")
	fpc, ok2 := clean(fp, true)
	if !ok1 || !ok2 || ipc+fpc == "" {
		return 0, bad
	}
	num := ipc + "." + fpc
	if hasExp {
		es := exp
		esign := ""
		if strings.HasPrefix(es, "+") || strings.HasPrefix(es, "-") {
			esign, es = es[:1], es[1:]
		}
		ed, ok := pyDigits(es)
		if !ok {
			return 0, bad
		}
		num += "e" + esign + ed
	}
	if strings.HasPrefix(s, "-") {
		num = "-" + num
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil && !isRange(err) {
		return 0, bad
	}
	return f, nil
}

func isRange(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// expandUser is os.path.expanduser on POSIX, with HOME from the config's
// environment.
func expandUser(path string, lookup func(string) (string, bool)) string {
	if !strings.HasPrefix(path, "~") {
		return path
	}
	i := strings.IndexByte(path[1:], '/')
	if i < 0 {
		i = len(path)
	} else {
		i++
	}
	var home string
	if i == 1 {
		h, ok := lookup("HOME")
		if !ok {
			u, err := user.Current()
			if err != nil {
				return path
			}
			h = u.HomeDir
		}
		home = h
	} else {
		u, err := user.Lookup(path[1:i])
		if err != nil {
			return path
		}
		home = u.HomeDir
	}
	home = strings.TrimRight(home, "/")
	if out := home + path[i:]; out != "" {
		return out
	}
	return "/"
}
