package covconfig

import (
	"fmt"
	"strings"
)

// checkTOML10 refuses the TOML 1.1 syntax that BurntSushi/toml accepts but
// Python's tomllib (TOML 1.0), and so coverage.py, rejects: newlines and
// trailing commas in inline tables, the \e and \xHH string escapes, and a
// leading byte order mark. It runs on text BurntSushi/toml has already
// accepted, so it can assume the rest of the syntax is sound.
func checkTOML10(text string) error {
	type frame struct{ open byte }
	var (
		stack   []frame
		line    = 1
		afterEq bool
	)
	bad := func(what string) error {
		return &Error{Line: line, Msg: "couldn't read config file", Err: fmt.Errorf("%s (TOML 1.1, which Python's tomllib does not read)", what)}
	}
	if strings.HasPrefix(text, "\ufeff") {
		return bad("a byte order mark")
	}
	inInline := func() bool { return len(stack) > 0 && stack[len(stack)-1].open == '{' }
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '\n':
			if inInline() {
				return bad("newline in an inline table")
			}
			line++
			if len(stack) == 0 {
				afterEq = false
			}
		case c == '#':
			for i+1 < len(text) && text[i+1] != '\n' {
				i++
			}
		case c == '=':
			afterEq = true
		case c == '"' || c == '\'':
			triple := i+2 < len(text) && text[i+1] == c && text[i+2] == c
			n := 1
			if triple {
				n = 3
			}
			i += n
			for ; i < len(text); i++ {
				if text[i] == '\n' {
					line++
				}
				if c == '"' && text[i] == '\\' && i+1 < len(text) {
					if e := text[i+1]; e == 'e' || e == 'x' {
						return bad(fmt.Sprintf(`string escape "\%c"`, e))
					}
					if text[i+1] == '\n' {
						line++
					}
					i++
					continue
				}
				if text[i] == c && (!triple || (i+2 < len(text) && text[i+1] == c && text[i+2] == c)) {
					if triple {
						i += 2
						// A closing run may be up to five quotes long.
						for k := 0; k < 2 && i+1 < len(text) && text[i+1] == c; k++ {
							i++
						}
					}
					break
				}
			}
		case c == '{':
			stack = append(stack, frame{'{'})
		case c == '[' && (len(stack) > 0 || afterEq):
			stack = append(stack, frame{'['})
		case (c == '}' || c == ']') && len(stack) > 0:
			stack = stack[:len(stack)-1]
		case c == ',' && inInline():
			j := i + 1
			for j < len(text) && (text[j] == ' ' || text[j] == '\t') {
				j++
			}
			if j < len(text) && text[j] == '}' {
				return bad("trailing comma in an inline table")
			}
		}
	}
	return nil
}
