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

// Token classes, from one table: a switch, which the compiler makes faster
// than map lookups (they run per token).
const (
	kwHard            = 1 << iota // Python's reserved words
	kwNotAfterOperand             // keywords that cannot follow an operand
	opWantsOperand                // operators that need an operand after them
	opBinaryOnly                  // operators that cannot start an operand
)

func tokenClass(s string) uint8 {
	switch s {
	case "False", "None", "True", "and", "as", "async", "else", "for", "from", "if", "import", "in", "is", "not", "or":
		return kwHard
	case "assert", "await", "break", "class", "continue", "def", "del", "elif", "except", "finally", "global", "lambda", "nonlocal", "pass", "raise", "return", "try", "while", "with", "yield":
		return kwHard | kwNotAfterOperand
	case "=", "==", "!=", "<", ">", "<=", ">=", "/", "//", "%", "|", "&", "^", "<<", ">>", ":=", "->", "+=", "-=", "*=", "/=", "//=", "%=", "**=", "|=", "&=", "^=", "<<=", ">>=", "@=":
		return opWantsOperand | opBinaryOnly
	case "+", "-", "*", "**", "~":
		return opWantsOperand
	}
	return 0
}

func hardKeyword(s string) bool       { return tokenClass(s)&kwHard != 0 }
func notAfterOperandKw(s string) bool { return tokenClass(s)&kwNotAfterOperand != 0 }
func wantsOperandOp(s string) bool    { return tokenClass(s)&opWantsOperand != 0 }
func binaryOnlyOp(s string) bool      { return tokenClass(s)&opBinaryOnly != 0 }

func isValue(t Token) bool {
	switch t.Type {
	case NUMBER, STRING:
		return true
	case NAME:
		return !hardKeyword(t.Text) || t.Text == "True" || t.Text == "False" || t.Text == "None"
	}
	return false
}

func endsOperand(t Token) bool {
	if isValue(t) {
		return true
	}
	return t.Type == OP && (t.Text == ")" || t.Text == "]" || t.Text == "}" || t.Text == "...")
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
	if n := len(toks); n > 0 && toks[n-1].Type == OP && toks[n-1].Text == "." {
		return &syntaxError{Msg: "invalid syntax", Line: toks[n-1].Line}
	}
	for i := start; i < len(toks); i++ {
		t := &toks[i]
		if t.Type == STRING && strings.ContainsAny(stringPrefix(t.Text), "bB") {
			for _, r := range t.Text {
				if r >= 0x80 {
					return &syntaxError{Msg: "bytes can only contain ASCII literal characters", Line: t.Line}
				}
			}
		}
		if i == start {
			continue
		}
		p := &toks[i-1]
		if p.Text == "..." && toks[0].Text == "from" {
			continue
		}
		if p.Type == OP && p.Text == "." && t.Type != NAME && !(toks[0].Text == "from" && (t.Text == "." || t.Text == "..." || isKeyword(*t, "import"))) {
			return &syntaxError{Msg: "invalid syntax", Line: t.Line}
		}
		if endsOperand(*p) && (isValue(*t) || t.Type == NAME && (notAfterOperandKw(t.Text) || t.Text == "import" && toks[0].Text != "from")) && !(p.Type == STRING && t.Type == STRING) {
			if isValue(*t) {
				if line, ok := forgotComma(toks, i, ver); ok {
					return &syntaxError{Msg: "invalid syntax. Perhaps you forgot a comma?", Line: line}
				}
			}
			return &syntaxError{Msg: "invalid syntax", Line: t.Line}
		}
		if p.Type == OP && wantsOperandOp(p.Text) && t.Type == OP && binaryOnlyOp(t.Text) {
			return &syntaxError{Msg: "invalid syntax", Line: t.Line}
		}
	}
	return nil
}

// forgotComma tells whether CPython 3.10+ explains the operand toks[i]
// following another expression as a missing comma: inside brackets, when
// the expression before it does not start with a name and a string or a
// soft keyword, or is not a bare print or exec. The error is reported at
// the first expression's line.
func forgotComma(toks []Token, i int, ver Version) (int, bool) {
	if !ver.AtLeast(3, 10) {
		return 0, false
	}
	depth := 0
	for _, t := range toks[:i] {
		depth += t.Nesting()
	}
	if depth <= 0 {
		return 0, false
	}
	start, ok := exprStart(toks, i)
	if !ok {
		return 0, false
	}
	a := toks[start]
	switch {
	case a.Type == NAME && toks[start+1].Type == STRING:
		// Not here; maybe from the string on ("x 's' 1").
		if start+1 == i && i+1 < len(toks) && isValue(toks[i+1]) {
			return toks[i].Line, true
		}
		return 0, false
	case a.Type == NAME && (a.Text == "_" || a.Text == "match" || a.Text == "case" || a.Text == "type"):
		return 0, false
	case a.Type == NAME && (a.Text == "print" || a.Text == "exec") && start == i-1:
		return 0, false
	}
	return a.Line, true
}

// exprStart walks back from the operand before toks[i] to the first token
// of the expression (a disjunction: operators, comparisons, not, await,
// calls and subscripts) it belongs to; not ok when that expression is the
// condition or branch of a conditional expression or a comprehension's
// iterable, where CPython says only "invalid syntax".
func exprStart(toks []Token, i int) (int, bool) {
	inner := 0
	j := i - 1
	for ; j >= 0; j-- {
		t := toks[j]
		if n := t.Nesting(); n < 0 {
			inner++
			continue
		} else if n > 0 {
			if inner == 0 {
				break
			}
			inner--
			continue
		}
		if inner > 0 {
			continue
		}
		if t.Type == OP && (t.Text == "," || t.Text == ":" || t.Text == ";" || t.Text == "->" || t.Text == ":=" || strings.HasSuffix(t.Text, "=") && t.Text != "==" && t.Text != "!=" && t.Text != "<=" && t.Text != ">=") {
			break
		}
		if t.Type == OP && (t.Text == "*" || t.Text == "**") && (j == 0 || toks[j-1].Nesting() > 0 || toks[j-1].Text == ",") {
			break
		}
		if t.Type == NAME {
			switch t.Text {
			case "if", "else":
				return 0, false
			case "in":
				if forBefore(toks, j) {
					return 0, false
				}
			case "lambda", "for", "async", "yield", "from", "return", "del", "assert", "import", "as", "with", "while", "elif":
				return j + 1, true
			}
		}
	}
	return j + 1, true
}

// forBefore reports whether a "for" at the same bracket depth comes before
// toks[j] (so that "in" there belongs to a comprehension or loop).
func forBefore(toks []Token, j int) bool {
	inner := 0
	for k := j - 1; k >= 0; k-- {
		if n := toks[k].Nesting(); n < 0 {
			inner++
		} else if n > 0 {
			if inner == 0 {
				return false
			}
			inner--
		} else if inner == 0 && toks[k].Type == NAME && toks[k].Text == "for" {
			return true
		}
	}
	return false
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
	tripleQ := false
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
				if rest := strings.TrimLeft(body[i+1:], " \t"); strings.HasPrefix(rest, "}") || strings.HasPrefix(rest, "!") || strings.HasPrefix(rest, ":") {
					return &syntaxError{Msg: "f-string: empty expression not allowed", Line: t.Line}
				}
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
			if c == quote && (!tripleQ || strings.HasPrefix(body[i:], strings.Repeat(string(quote), 3))) {
				if tripleQ {
					i += 2
				}
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
			tripleQ = strings.HasPrefix(body[i:], strings.Repeat(string(c), 3))
			if tripleQ {
				i += 2
			}
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
			spec:
				for i++; i < len(body); i++ {
					switch b := body[i]; {
					case depth > 0 && (b == '\'' || b == '"'):
						// A string in a nested field's expression, as in
						// f'{3:{"}"}>10}': its braces are not the spec's.
						if j := strings.IndexByte(body[i+1:], b); j >= 0 {
							i += j + 1
						}
					case b == '{':
						depth++
					case b == '}':
						if depth == 0 {
							break spec
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
	// enclosed is set inside a function, even in a class body there:
	// nonlocal is allowed.
	enclosed bool
}

// validate runs the token and compiler checks over the statement tree.
func validate(m *Module, ver Version) error {
	if err := checkBody(m.Body, ver); err != nil {
		return err
	}
	if err := checkFuture(m.Body); err != nil {
		return err
	}
	if err := compileChecks(m.Body, checkCtx{}); err != nil {
		return err
	}
	return checkGlobals(m.Body, map[string]bool{})
}

// checkGlobals finds a global or nonlocal declaration of a name the same
// scope assigned before (symtable's "assigned to before global
// declaration"), for plain assignments.
func checkGlobals(ss []*Stmt, assigned map[string]bool) error {
	for _, s := range ss {
		switch s.Kind {
		case SGlobal, SNonlocal:
			kind := "global"
			if s.Kind == SNonlocal {
				kind = "nonlocal"
			}
			for _, t := range s.Header[1:] {
				if t.Type == NAME && assigned[t.Text] {
					return &syntaxError{Msg: fmt.Sprintf("name '%s' is assigned to before %s declaration", t.Text, kind), Line: s.Line}
				}
			}
		case SAssign, SAugAssign, SAnnAssign:
			if t := s.Header[0]; t.Type == NAME && len(s.Header) > 1 && s.Header[1].Type == OP && s.Header[1].Text != "." && s.Header[1].Text != "[" && s.Header[1].Text != "(" {
				assigned[t.Text] = true
			}
		case SFunctionDef, SClassDef:
			assigned[s.Name] = true
			if err := checkGlobals(s.Body, map[string]bool{}); err != nil {
				return err
			}
			continue
		}
		for _, b := range [][]*Stmt{s.Body, s.Orelse, s.Finally} {
			if err := checkGlobals(b, assigned); err != nil {
				return err
			}
		}
		for _, h := range s.Handlers {
			if err := checkGlobals(h.Body, assigned); err != nil {
				return err
			}
		}
		for _, c := range s.Cases {
			if err := checkGlobals(c.Body, assigned); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkBody(ss []*Stmt, ver Version) error {
	for _, s := range ss {
		skip := s.Kind == SMatch || s.Kind == STypeAlias
		if err := checkTokens(s.Header, ver, skip); err != nil {
			return err
		}
		if err := checkStmt(s, ver); err != nil {
			return err
		}
		for _, b := range [][]*Stmt{s.Body, s.Orelse, s.Finally} {
			if err := checkBody(b, ver); err != nil {
				return err
			}
		}
		if s.Kind == SFunctionDef && ver.Less(Version{Major: 3, Minor: 12}) {
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
		if s.Kind == SClassDef && ver.Less(Version{Major: 3, Minor: 12}) && len(s.Header) > 2 && s.Header[2].Text == "[" {
			return &syntaxError{Msg: "invalid syntax", Line: s.Header[2].Line}
		}
		for _, h := range s.Handlers {
			if ver.Less(Version{Major: 3, Minor: 11}) && len(h.Header) > 1 && h.Header[1].Text == "*" {
				return &syntaxError{Msg: "invalid syntax", Line: h.Line}
			}
			if ver.Less(Version{Major: 3, Minor: 14}) && len(h.Header) > 1 {
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
			if t, ok := hasKeyword(s.Header, "await"); ok && !lambda && s.Kind != SFunctionDef && s.Kind != SClassDef {
				return &syntaxError{Msg: "'await' outside function", Line: t.Line}
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
			if !c.enclosed {
				return &syntaxError{Msg: "nonlocal declaration not allowed at module level", Line: s.Line}
			}
		}
		inner := c
		switch s.Kind {
		case SFunctionDef:
			inner = checkCtx{function: true, enclosed: true}
		case SClassDef:
			inner = checkCtx{enclosed: c.enclosed}
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

// checkStmt looks for the statement-level errors CPython's parser names.
func checkStmt(s *Stmt, ver Version) error {
	h := s.Header
	if len(h) == 0 {
		return nil
	}
	if h[0].Text == "async" && h[0].Type == NAME && s.Kind != SFunctionDef && s.Kind != SFor && s.Kind != SWith {
		return &syntaxError{Msg: "invalid syntax", Line: h[0].Line}
	}
	switch s.Kind {
	case SImport:
		last := h[len(h)-1]
		if h[0].Text == "from" && isKeyword(last, "import") {
			if ver.AtLeast(3, 13) {
				return &syntaxError{Msg: "Expected one or more names after 'import'", Line: last.Line}
			}
			return &syntaxError{Msg: "invalid syntax", Line: last.Line}
		}
	case SAssign:
		target := h[:TopLevelIndex(h, "=")]
		if len(target) == 0 {
			return &syntaxError{Msg: "invalid syntax", Line: h[0].Line}
		}
		if len(target) == 1 && (target[0].Type == NUMBER || target[0].Type == STRING) {
			return &syntaxError{Msg: "cannot assign to literal here. Maybe you meant '==' instead of '='?", Line: target[0].Line}
		}
		if n := len(target); n >= 3 && target[n-1].Text == ")" && target[0].Type == NAME && !hasTopComma(target) {
			if open := openingOf(target, n-1); open > 0 && (target[open-1].Type == NAME || target[open-1].Text == ")") {
				return &syntaxError{Msg: "cannot assign to function call here. Maybe you meant '==' instead of '='?", Line: target[0].Line}
			}
		}
		if target[0].Text == "*" && !hasTopComma(target) {
			return &syntaxError{Msg: "starred assignment target must be in a list or tuple", Line: target[0].Line}
		}
	case SAugAssign:
		for i, t := range h {
			if t.Type == OP && strings.HasSuffix(t.Text, "=") && len(t.Text) > 1 && t.Text != "==" && t.Text != "!=" && t.Text != "<=" && t.Text != ">=" {
				if hasTopComma(h[:i]) {
					return &syntaxError{Msg: "'tuple' is an illegal expression for augmented assignment", Line: h[0].Line}
				}
				break
			}
		}
	case SDelete:
		if len(h) == 2 && (h[1].Type == NUMBER || h[1].Type == STRING) {
			return &syntaxError{Msg: "cannot delete literal", Line: h[1].Line}
		}
	case SFunctionDef:
		for i := 0; i+1 < len(h); i++ {
			if isKeyword(h[i], "def") {
				msg := "expected '('"
				if ver.Less(Version{Major: 3, Minor: 11}) {
					msg = "invalid syntax"
				}
				if i+2 >= len(h) {
					return &syntaxError{Msg: msg, Line: h[i+1].Line}
				}
				if n := h[i+2]; !(n.Type == OP && (n.Text == "(" || n.Text == "[" && ver.AtLeast(3, 12))) {
					return &syntaxError{Msg: msg, Line: n.Line}
				}
				break
			}
		}
		if err := checkParams(s); err != nil {
			return err
		}
	case SExpr:
		if i := TopLevelIndex(h, ":="); i >= 0 {
			return &syntaxError{Msg: "invalid syntax", Line: h[i].Line}
		}
	}
	if last := h[len(h)-1]; last.Type == OP && wantsOperandOp(last.Text) && s.Kind != SFunctionDef && s.Kind != SClassDef && s.Kind != SImport {
		return &syntaxError{Msg: "invalid syntax", Line: last.Line}
	}
	return checkBrackets(h, ver, s.Kind == SFunctionDef || s.Kind == SClassDef)
}

// openingOf returns the index of the bracket that toks[close] closes.
func openingOf(toks []Token, close int) int {
	depth := 0
	for i := close; i >= 0; i-- {
		if toks[i].Type != OP {
			continue
		}
		switch toks[i].Text {
		case ")", "]", "}":
			depth++
		case "(", "[", "{":
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// checkParams finds duplicate parameter names.
func checkParams(s *Stmt) error {
	h := s.Header
	open := -1
	for i, t := range h {
		if t.Type == OP && t.Text == "(" {
			open = i
			break
		}
	}
	if open < 0 {
		return nil
	}
	seen := map[string]bool{}
	depth := 0
	for i := open; i < len(h); i++ {
		t := h[i]
		if t.Type == OP {
			if depth += t.Nesting(); depth == 0 {
				return nil
			}
			continue
		}
		if depth != 1 || t.Type != NAME || i+1 >= len(h) {
			continue
		}
		prev, next := h[i-1].Text, h[i+1].Text
		if (prev == "(" || prev == "," || prev == "*" || prev == "**") && (next == "," || next == ")" || next == ":" || next == "=") {
			if seen[t.Text] {
				return &syntaxError{Msg: fmt.Sprintf("duplicate argument '%s' in function definition", t.Text), Line: s.Line}
			}
			seen[t.Text] = true
		}
	}
	return nil
}

// bracketFrame is the state of one open bracket while checking.
type bracketFrame struct {
	open      string
	call      bool // the parentheses of a call
	sawFor    bool
	sawColon  bool // a top-level ':' (dict display)
	elemColon bool // the current element has one
	elemStart int
	sawKw     bool // keyword argument seen
	sawStar2  bool // ** seen
	genexp    bool
	ifs       int // pending conditional-expression 'if's
	lambdas   int // lambdas whose ':' is still to come
	inLambda  bool
}

// checkBrackets checks dict displays, call arguments, conditional
// expressions and comprehensions inside one statement's tokens.
func checkBrackets(h []Token, ver Version, def bool) error {
	// Frames by value in a small array: most statements nest shallowly.
	var frames [8]bracketFrame
	stack := append(frames[:0], bracketFrame{})
	top := func() *bracketFrame { return &stack[len(stack)-1] }
	for i, t := range h {
		f := top()
		if t.Type == NAME {
			switch t.Text {
			case "for":
				if len(stack) > 1 {
					f.sawFor = true
					if f.open == "(" && f.call {
						f.genexp = true
					}
					// 'in' must follow before the bracket closes.
					if !inBeforeClose(h[i+1:]) {
						if ver.AtLeast(3, 13) {
							return &syntaxError{Msg: "'in' expected after for-loop variables", Line: t.Line}
						}
						return &syntaxError{Msg: "invalid syntax", Line: t.Line}
					}
				}
			case "if":
				if i > 0 && !f.sawFor {
					f.ifs++
				}
			case "else":
				if f.ifs > 0 {
					f.ifs--
				}
			case "lambda":
				f.lambdas++
				f.inLambda = true
			}
			continue
		}
		if t.Type != OP {
			continue
		}
		switch t.Text {
		case "(", "[", "{":
			call := t.Text == "(" && i > 0 && (h[i-1].Type == NAME && !hardKeyword(h[i-1].Text) || h[i-1].Text == ")" || h[i-1].Text == "]")
			stack = append(stack, bracketFrame{open: t.Text, call: call, elemStart: i + 1})
		case ")", "]", "}":
			if len(stack) > 1 {
				if err := f.endElem(h, i, def); err != nil {
					return err
				}
				stack = stack[:len(stack)-1]
			}
		case ",":
			if f.lambdas > 0 {
				// Between 'lambda' and its ':': parameters.
				continue
			}
			if err := f.endElem(h, i, def); err != nil {
				return err
			}
		case ":":
			if f.lambdas > 0 {
				f.lambdas--
				continue
			}
			if f.ifs > 0 && len(stack) == 1 {
				return &syntaxError{Msg: "expected 'else' after 'if' expression", Line: t.Line}
			}
			if f.open == "{" {
				f.sawColon = true
				f.elemColon = true
			}
		}
	}
	if f := top(); len(stack) == 1 && f.ifs > 0 {
		return &syntaxError{Msg: "expected 'else' after 'if' expression", Line: h[len(h)-1].Line}
	}
	return nil
}

// endElem ends the element of frame f that token i closes (a ',' or the
// closing bracket).
func (f *bracketFrame) endElem(h []Token, i int, def bool) error {
	if f.open == "{" && f.sawColon && !f.elemColon && i > f.elemStart && h[f.elemStart].Text != "**" && !f.sawFor && !f.inLambda {
		return &syntaxError{Msg: "':' expected after dictionary key", Line: h[f.elemStart].Line}
	}
	if f.call && !def && i > f.elemStart && !f.genexp && !f.inLambda {
		if err := f.checkArgument(h[f.elemStart:i]); err != nil {
			return err
		}
	}
	if f.ifs > 0 {
		return &syntaxError{Msg: "expected 'else' after 'if' expression", Line: h[i-1].Line}
	}
	f.elemColon = false
	f.inLambda = false
	f.elemStart = i + 1
	return nil
}

// checkArgument checks one argument of a call against those before it.
func (f *bracketFrame) checkArgument(elem []Token) error {
	switch {
	case elem[0].Text == "**":
		f.sawStar2 = true
	case elem[0].Text == "*":
		if f.sawStar2 {
			return &syntaxError{Msg: "iterable argument unpacking follows keyword argument unpacking", Line: elem[0].Line}
		}
	case TopLevelIndex(elem, "=") > 0:
		if eq := TopLevelIndex(elem, "="); eq != 1 || elem[0].Type != NAME {
			return &syntaxError{Msg: `expression cannot contain assignment, perhaps you meant "=="?`, Line: elem[0].Line}
		}
		f.sawKw = true
	default:
		if f.sawStar2 {
			return &syntaxError{Msg: "positional argument follows keyword argument unpacking", Line: elem[0].Line}
		}
		if f.sawKw {
			return &syntaxError{Msg: "positional argument follows keyword argument", Line: elem[0].Line}
		}
	}
	return nil
}

// inBeforeClose says an 'in' follows in h before the bracket that holds
// it closes.
func inBeforeClose(h []Token) bool {
	depth := 0
	for _, u := range h {
		if u.Type == OP && strings.Contains("([{", u.Text) {
			depth++
		} else if u.Type == OP && strings.Contains(")]}", u.Text) {
			if depth == 0 {
				return false
			}
			depth--
		} else if depth == 0 && isKeyword(u, "in") {
			return true
		}
	}
	return false
}

var futureFeatures = map[string]bool{
	"nested_scopes": true, "generators": true, "division": true, "absolute_import": true,
	"with_statement": true, "print_function": true, "unicode_literals": true,
	"barry_as_FLUFL": true, "generator_stop": true, "annotations": true,
}

// checkFuture applies the rules for from __future__ imports: first in the
// file (after the docstring), and only known features.
func checkFuture(body []*Stmt) error {
	leading := true
	for i, s := range body {
		isFuture := s.Kind == SImport && len(s.Header) >= 4 && s.Header[0].Text == "from" && s.Header[1].Text == "__future__"
		if !isFuture {
			if !(i == 0 && isDocstring(s)) {
				leading = false
			}
			continue
		}
		if !leading {
			return &syntaxError{Msg: "from __future__ imports must occur at the beginning of the file", Line: s.Line}
		}
		names := s.Header[3:]
		for i, t := range names {
			if t.Type == NAME && t.Text != "as" && !(i > 0 && names[i-1].Text == "as") {
				if t.Text == "braces" {
					return &syntaxError{Msg: "not a chance", Line: s.Line}
				}
				if !futureFeatures[t.Text] {
					return &syntaxError{Msg: fmt.Sprintf("future feature %s is not defined", t.Text), Line: s.Line}
				}
			}
			if t.Type == OP && t.Text == "*" {
				return &syntaxError{Msg: "future feature * is not defined", Line: s.Line}
			}
		}
	}
	return nil
}
