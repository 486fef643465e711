package pysource

import (
	"fmt"
	"strings"
)

// This file catches the common syntax errors the statement parser lets
// through, with CPython's messages: adjacent operands ("invalid syntax"),
// Python 2 print statements, pre-3.12 f-string rules, and the errors the
// compiler (not the parser) raises, such as 'return' outside function.
// coverage.py compiles every file it parses, so both kinds make it refuse
// the file.

var hardKeywords = map[string]bool{
	"False": true, "None": true, "True": true, "and": true, "as": true, "assert": true,
	"async": true, "await": true, "break": true, "class": true, "continue": true, "def": true,
	"del": true, "elif": true, "else": true, "except": true, "finally": true, "for": true,
	"from": true, "global": true, "if": true, "import": true, "in": true, "is": true,
	"lambda": true, "nonlocal": true, "not": true, "or": true, "pass": true, "raise": true,
	"return": true, "try": true, "while": true, "with": true, "yield": true,
}

func isValue(t Token) bool {
	switch t.Type {
	case NUMBER, STRING:
		return true
	case NAME:
		return !hardKeywords[t.Text] || t.Text == "True" || t.Text == "False" || t.Text == "None"
	}
	return false
}

func endsOperand(t Token) bool {
	if isValue(t) {
		return true
	}
	return t.Type == OP && (t.Text == ")" || t.Text == "]" || t.Text == "}" || t.Text == "...")
}

// notAfterOperand are the keywords that cannot follow an operand.
var notAfterOperand = map[string]bool{
	"def": true, "class": true, "return": true, "pass": true, "while": true,
	"try": true, "with": true, "del": true, "global": true, "nonlocal": true, "assert": true,
	"raise": true, "break": true, "continue": true, "elif": true, "except": true,
	"finally": true, "lambda": true, "yield": true, "await": true,
}

var wantsOperand = map[string]bool{
	"=": true, "==": true, "!=": true, "<": true, ">": true, "<=": true, ">=": true,
	"+": true, "-": true, "*": true, "/": true, "//": true, "%": true, "**": true, "|": true,
	"&": true, "^": true, "<<": true, ">>": true, "~": true, ":=": true, "->": true,
	"+=": true, "-=": true, "*=": true, "/=": true, "//=": true, "%=": true, "**=": true,
	"|=": true, "&=": true, "^=": true, "<<=": true, ">>=": true, "@=": true,
}

var binaryOnly = map[string]bool{
	"=": true, "==": true, "!=": true, "<": true, ">": true, "<=": true, ">=": true,
	"/": true, "//": true, "%": true, "|": true, "&": true, "^": true, "<<": true, ">>": true,
	"->": true, ":=": true, "+=": true, "-=": true, "*=": true, "/=": true, "//=": true,
	"%=": true, "**=": true, "|=": true, "&=": true, "^=": true, "<<=": true, ">>=": true, "@=": true,
}

// checkTokens looks for impossible token pairs in one statement or header.
// skipFirst skips a leading soft keyword (match, case, type).
func checkTokens(toks []Token, ver Version, skipFirst bool) error {
	start := 0
	if skipFirst {
		start = 1
	}
	if len(toks) >= 2 && toks[0].Type == NAME && (toks[0].Text == "print" || toks[0].Text == "exec") && isValue(toks[1]) && !skipFirst {
		return &syntaxError{Msg: fmt.Sprintf("Missing parentheses in call to '%s'. Did you mean %s(...)?", toks[0].Text, toks[0].Text), Line: toks[0].Line}
	}
	for i := start; i < len(toks); i++ {
		t := toks[i]
		if i == start {
			continue
		}
		p := toks[i-1]
		if p.Text == "..." && toks[0].Text == "from" {
			continue
		}
		if endsOperand(p) && (isValue(t) || t.Type == NAME && (notAfterOperand[t.Text] || t.Text == "import" && toks[0].Text != "from")) && !(p.Type == STRING && t.Type == STRING) {
			return &syntaxError{Msg: "invalid syntax", Line: t.Line}
		}
		if p.Type == OP && wantsOperand[p.Text] && t.Type == OP && binaryOnly[t.Text] {
			return &syntaxError{Msg: "invalid syntax", Line: t.Line}
		}
	}
	return nil
}

// checkOldFString applies the pre-3.12 f-string rules: replacement fields
// end at the string's own quote and may not hold backslashes.
func checkOldFString(t Token) error {
	pre := stringPrefix(t.Text)
	if !strings.ContainsAny(pre, "fF") {
		return nil
	}
	body := t.Text[len(pre):]
	q := 1
	if len(body) >= 6 && (strings.HasPrefix(body, `"""`) || strings.HasPrefix(body, `'''`)) {
		q = 3
	}
	body = body[q : len(body)-q]
	raw := strings.ContainsAny(pre, "rR")
	// stack holds the open brackets of the current replacement field; its
	// bottom is the field's own '{'.
	var stack []byte
	var quote byte
	for i := 0; i < len(body); i++ {
		c := body[i]
		if len(stack) == 0 {
			switch c {
			case '{':
				if i+1 < len(body) && body[i+1] == '{' {
					i++
					continue
				}
				stack = append(stack, '{')
			case '}':
				if i+1 < len(body) && body[i+1] == '}' {
					i++
					continue
				}
				return &syntaxError{Msg: "f-string: single '}' is not allowed", Line: t.Line}
			case '\\':
				if !raw {
					i++
				}
			}
			continue
		}
		if quote != 0 {
			if c == quote {
				quote = 0
			}
			if c == '\\' {
				return &syntaxError{Msg: "f-string expression part cannot include a backslash", Line: t.Line}
			}
			continue
		}
		switch c {
		case '\\':
			return &syntaxError{Msg: "f-string expression part cannot include a backslash", Line: t.Line}
		case '\'', '"':
			quote = c
		case '{', '(', '[':
			stack = append(stack, c)
		case ')', ']', '}':
			if len(stack) == 1 && c != '}' {
				return &syntaxError{Msg: fmt.Sprintf("f-string: unmatched '%c'", c), Line: t.Line}
			}
			stack = stack[:len(stack)-1]
		case ':', '!':
			if len(stack) == 1 && !(c == '!' && i+1 < len(body) && body[i+1] == '=') {
				// Format spec or conversion: literal text up to the
				// field's '}', with nested fields.
				depth := 0
				for i++; i < len(body); i++ {
					if body[i] == '{' {
						depth++
					} else if body[i] == '}' {
						if depth == 0 {
							break
						}
						depth--
					}
				}
				if i >= len(body) {
					return &syntaxError{Msg: "f-string: expecting '}'", Line: t.Line}
				}
				stack = stack[:0]
			}
		}
	}
	if quote != 0 {
		return &syntaxError{Msg: "f-string: expecting '}'", Line: t.Line}
	}
	if n := len(stack); n > 1 {
		return &syntaxError{Msg: fmt.Sprintf("f-string: unmatched '%c'", stack[n-1]), Line: t.Line}
	}
	if len(stack) == 1 {
		return &syntaxError{Msg: "f-string: expecting '}'", Line: t.Line}
	}
	return nil
}

type checkCtx struct {
	function bool
	loop     bool
}

// validate runs the token and compiler checks over the statement tree.
func validate(m *Module, ver Version) error {
	if err := checkBody(m.Body, ver); err != nil {
		return err
	}
	return compileChecks(m.Body, checkCtx{})
}

func checkBody(ss []*Stmt, ver Version) error {
	for _, s := range ss {
		skip := s.Kind == SMatch || s.Kind == STypeAlias
		if err := checkTokens(s.Header, ver, skip); err != nil {
			return err
		}
		for _, b := range [][]*Stmt{s.Body, s.Orelse, s.Finally} {
			if err := checkBody(b, ver); err != nil {
				return err
			}
		}
		if s.Kind == SFunctionDef && ver.Less(Version{3, 12}) {
			if n := 2; s.Async && len(s.Header) > 3 {
				n = 3
				_ = n
			}
			for i := 0; i+2 < len(s.Header); i++ {
				if s.Header[i].Text == "def" && s.Header[i+2].Text == "[" {
					return &syntaxError{Msg: "expected '('", Line: s.Header[i+2].Line}
				}
			}
		}
		if s.Kind == SClassDef && ver.Less(Version{3, 12}) && len(s.Header) > 2 && s.Header[2].Text == "[" {
			return &syntaxError{Msg: "invalid syntax", Line: s.Header[2].Line}
		}
		for _, h := range s.Handlers {
			if ver.Less(Version{3, 14}) && len(h.Header) > 1 {
				if _, as := hasKeyword(h.Header, "as"); !as && hasTopComma(h.Header[1:]) {
					return &syntaxError{Msg: "multiple exception types must be parenthesized", Line: h.Line}
				}
			}
			if err := checkTokens(h.Header, ver, false); err != nil {
				return err
			}
			if err := checkBody(h.Body, ver); err != nil {
				return err
			}
		}
		for _, c := range s.Cases {
			if err := checkTokens(c.Header, ver, true); err != nil {
				return err
			}
			if err := checkBody(c.Body, ver); err != nil {
				return err
			}
		}
	}
	return nil
}

func hasKeyword(toks []Token, kw string) (Token, bool) {
	for _, t := range toks {
		if t.Type == NAME && t.Text == kw {
			return t, true
		}
	}
	return Token{}, false
}

func compileChecks(ss []*Stmt, c checkCtx) error {
	for _, s := range ss {
		if !c.function {
			_, lambda := hasKeyword(s.Header, "lambda")
			if t, ok := hasKeyword(s.Header, "yield"); ok && !lambda && s.Kind != SFunctionDef && s.Kind != SClassDef {
				return &syntaxError{Msg: "'yield' outside function", Line: t.Line}
			}
		}
		switch s.Kind {
		case SReturn:
			if !c.function {
				return &syntaxError{Msg: "'return' outside function", Line: s.Line}
			}
		case SBreak:
			if !c.loop {
				return &syntaxError{Msg: "'break' outside loop", Line: s.Line}
			}
		case SContinue:
			if !c.loop {
				return &syntaxError{Msg: "'continue' not properly in loop", Line: s.Line}
			}
		case SNonlocal:
			if !c.function {
				return &syntaxError{Msg: "nonlocal declaration not allowed at module level", Line: s.Line}
			}
		}
		inner := c
		switch s.Kind {
		case SFunctionDef:
			inner = checkCtx{function: true}
		case SClassDef:
			inner = checkCtx{}
		case SWhile, SFor:
			inner.loop = true
		}
		if err := compileChecks(s.Body, inner); err != nil {
			return err
		}
		if err := compileChecks(s.Orelse, c); err != nil {
			return err
		}
		for _, h := range s.Handlers {
			if err := compileChecks(h.Body, c); err != nil {
				return err
			}
		}
		if err := compileChecks(s.Finally, c); err != nil {
			return err
		}
		for _, cs := range s.Cases {
			if err := compileChecks(cs.Body, c); err != nil {
				return err
			}
		}
	}
	return nil
}
