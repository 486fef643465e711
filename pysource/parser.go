package pysource

import (
	"fmt"
	"strings"
	"sync"

	"github.com/covkit/covkit/releases"
)

// StmtKind is the kind of a statement, named after Python's ast classes.
type StmtKind uint8

const (
	SExpr StmtKind = iota
	SAssign
	SAugAssign
	SAnnAssign
	SReturn
	SRaise
	SBreak
	SContinue
	SPass
	SGlobal
	SNonlocal
	SImport
	SDelete
	SAssert
	STypeAlias
	SIf
	SWhile
	SFor
	STry
	SWith
	SFunctionDef
	SClassDef
	SMatch
)

var stmtNames = [...]string{"Expr", "Assign", "AugAssign", "AnnAssign", "Return", "Raise", "Break", "Continue", "Pass", "Global", "Nonlocal", "Import", "Delete", "Assert", "TypeAlias", "If", "While", "For", "Try", "With", "FunctionDef", "ClassDef", "Match"}

func (k StmtKind) String() string { return stmtNames[k] }

// Stmt is one statement of the statement tree, with the line numbers
// Python's ast gives it. It is the tree later analyses (arcs) build on.
//
// Line is ast's lineno (for a decorated def or class, the def/class line,
// not the decorator's); EndLine is end_lineno. Header holds the tokens of a
// simple statement, or of a compound statement's header from its keyword up
// to (not including) the ':'.
type Stmt struct {
	Kind       StmtKind
	Line       int
	EndLine    int
	Header     []Token
	Decorators []int // first line of each decorator
	Name       string
	Async      bool
	Body       []*Stmt
	// Orelse is the else part (If, For, While, Try); for an elif chain it
	// holds one If with Elif set.
	Orelse   []*Stmt
	ElseLine int // line of the 'else' keyword, 0 if none
	Elif     bool
	Handlers []*Handler
	Finally  []*Stmt
	// FinallyLine is the line of the 'finally' keyword, 0 if none.
	FinallyLine int
	Cases       []*Case
	// HasValue is set on an AnnAssign with a value.
	HasValue bool
	// SimpleTarget is set on an AnnAssign whose target is a plain name.
	SimpleTarget bool
	// ParenName is set on an AnnAssign whose target is a parenthesized name.
	ParenName bool
	// lastInCode marks the last statement of a code object's body.
	lastInCode bool
}

// Handler is an except clause.
type Handler struct {
	Line, EndLine int
	Header        []Token
	Body          []*Stmt
}

// Case is a match case clause.
type Case struct {
	Line, EndLine int // Line is the pattern's line (the case keyword's line)
	Header        []Token
	Guard         bool
	Irrefutable   bool
	Body          []*Stmt
}

// Module is a parsed file.
type Module struct {
	Body []*Stmt
	// leadingTrivia: comments or blank lines come before the first token
	// (coverage.py 6.x then sees no module docstring).
	leadingTrivia bool
}

type parser struct {
	toks []Token
	pos  int
	ver  Version
}

// syntaxError is a parse failure with the message CPython's parser gives,
// as close as covkit models it.
type syntaxError struct {
	Msg  string
	Line int
}

func (e *syntaxError) Error() string { return fmt.Sprintf("%s at line %d", e.Msg, e.Line) }

// Parse tokenizes and parses normalized source text for the target version.
// It returns the module and its significant tokens: Tokenize's without the
// comments and non-logical newlines, which neither the parser nor
// coverage.py's token passes look at.
func Parse(src string, ver Version) (*Module, []Token, error) {
	ver = releases.ClampPython(ver)
	// The full token stream is scratch, reused between calls; what the
	// module keeps is copied out at its exact size.
	scratch := tokenScratch.Get().(*[]Token)
	defer tokenScratch.Put(scratch)
	if want := len(src)/6 + 16; cap(*scratch) < want {
		// About one token per 7 bytes of typical source: grow once, up
		// front, rather than by doubling a large slice.
		*scratch = make([]Token, 0, want)
	}
	toks, trivia, err := tokenizeInto(src, ver, (*scratch)[:0])
	*scratch = toks
	if err != nil {
		return nil, nil, err
	}
	sig := make([]Token, 0, len(toks)-trivia)
	for i := range toks {
		if toks[i].Type != COMMENT && toks[i].Type != NL {
			sig = append(sig, toks[i])
		}
	}
	p := &parser{toks: sig, ver: ver}
	body, err := p.block(true)
	if err != nil {
		return nil, nil, err
	}
	lead := toks[0].Type == COMMENT || toks[0].Type == NL
	return &Module{Body: body, leadingTrivia: lead}, sig, nil
}

var tokenScratch = sync.Pool{New: func() any { return new([]Token) }}

func (p *parser) peek() Token { return p.toks[p.pos] }

// lineOf is where CPython reports an error at t: the end marker counts as
// the last line.
func (p *parser) lineOf(t Token) int {
	if t.Type == ENDMARKER && t.Line > 1 {
		return t.Line - 1
	}
	return t.Line
}

func (p *parser) errf(line int, format string, args ...any) error {
	return &syntaxError{Msg: fmt.Sprintf(format, args...), Line: line}
}

// block parses statements up to a DEDENT (consumed) or the end.
func (p *parser) block(top bool) ([]*Stmt, error) {
	var out []*Stmt
	for {
		t := p.peek()
		switch t.Type {
		case ENDMARKER:
			if !top {
				return out, nil
			}
			return out, nil
		case DEDENT:
			if top {
				return nil, p.errf(t.Line, "unindent does not match any outer indentation level")
			}
			p.pos++
			return out, nil
		case INDENT:
			return nil, p.errf(t.Line, "unexpected indent")
		case NEWLINE:
			p.pos++
			continue
		}
		if isKeyword(t, "elif") && p.ver.AtLeast(3, 14) && len(out) > 0 {
			if prev := out[len(out)-1]; prev.Kind == SIf && prev.ElseLine != 0 {
				return nil, p.errf(t.Line, "'elif' block follows an 'else' block")
			}
		}
		ss, err := p.statement()
		if err != nil {
			return nil, err
		}
		out = append(out, ss...)
	}
}

func isKeyword(t Token, kw string) bool { return t.Type == NAME && t.Text == kw }

// headerEnd returns the index (in p.toks) of the ':' ending the compound
// statement header that starts at p.pos, skipping lambda colons.
func (p *parser) headerEnd() (int, error) {
	depth := 0
	lambdas := 0
	for i := p.pos; i < len(p.toks); i++ {
		t := p.toks[i]
		switch t.Type {
		case NEWLINE, ENDMARKER:
			return -1, p.errf(t.Line, "expected ':'")
		case NAME:
			if t.Text == "lambda" && depth == 0 {
				lambdas++
			}
		case OP:
			switch t.Text {
			case "(", "[", "{":
				depth++
			case ")", "]", "}":
				depth--
			case ":":
				if depth == 0 {
					if lambdas > 0 {
						lambdas--
						continue
					}
					return i, nil
				}
			}
		}
	}
	return -1, p.errf(p.toks[len(p.toks)-1].Line, "expected ':'")
}

// suite parses what follows a header's ':' (at p.pos): an indented block or
// simple statements on the same line.
func (p *parser) suite(kw string, line int) ([]*Stmt, error) {
	t := p.peek()
	if t.Type == NEWLINE {
		p.pos++
		if p.peek().Type != INDENT {
			return nil, p.errf(p.lineOf(p.peek()), "expected an indented block after %s on line %d", kw, line)
		}
		p.pos++
		return p.block(false)
	}
	return p.simpleLine()
}

func (p *parser) statement() ([]*Stmt, error) {
	t := p.peek()
	if t.Type == OP && t.Text == "@" {
		return p.decorated()
	}
	if t.Type == NAME {
		switch t.Text {
		case "if":
			s, err := p.ifStmt(false)
			return one(s, err)
		case "while":
			s, err := p.loop(SWhile, false)
			return one(s, err)
		case "for":
			s, err := p.loop(SFor, false)
			return one(s, err)
		case "try":
			s, err := p.tryStmt()
			return one(s, err)
		case "with":
			s, err := p.withStmt(false)
			return one(s, err)
		case "def", "class":
			s, err := p.def(nil, false)
			return one(s, err)
		case "async":
			n := p.toks[p.pos+1]
			if n.Type == NAME {
				switch n.Text {
				case "def":
					s, err := p.def(nil, true)
					return one(s, err)
				case "for":
					s, err := p.loop(SFor, true)
					return one(s, err)
				case "with":
					s, err := p.withStmt(true)
					return one(s, err)
				}
			}
		case "elif", "else", "except", "finally":
			return nil, p.errf(t.Line, "invalid syntax")
		case "match":
			if p.isMatch() {
				s, err := p.matchStmt()
				return one(s, err)
			}
		}
	}
	return p.simpleLine()
}

func one(s *Stmt, err error) ([]*Stmt, error) {
	if err != nil {
		return nil, err
	}
	return []*Stmt{s}, nil
}

// isMatch decides whether a logical line starting with the soft keyword
// 'match' is a match statement: it ends with ':' and a block follows.
func (p *parser) isMatch() bool {
	if p.ver.Less(Version{Major: 3, Minor: 10}) {
		return false
	}
	n := p.toks[p.pos+1]
	if n.Type == NEWLINE || (n.Type == OP && strings.Contains("=.:,);]}", n.Text[:1]) && n.Text != "...") {
		return false
	}
	if n.Type == OP && (n.Text == "+=" || n.Text == "-=" || n.Text == "*=" || n.Text == "/=" || n.Text == "|=" || n.Text == "&=" || n.Text == "==" || n.Text == "!=" || n.Text == "<" || n.Text == ">" || n.Text == "<=" || n.Text == ">=" || n.Text == "%" || n.Text == "//=" || n.Text == "->") {
		return false
	}
	end, err := p.headerEnd()
	if err != nil {
		return false
	}
	return p.toks[end+1].Type == NEWLINE && p.toks[end+2].Type == INDENT
}

// simpleLine parses simple statements separated by ';' up to NEWLINE.
func (p *parser) simpleLine() ([]*Stmt, error) {
	var out []*Stmt
	start := p.pos
	if f := p.peek(); f.Type == OP && (binaryOnlyOp(f.Text) || strings.Contains(":)]},;", f.Text)) {
		return nil, p.errf(f.Line, "invalid syntax")
	}
	depth := 0
	for {
		t := p.peek()
		if t.Type == ENDMARKER {
			if p.pos > start {
				out = append(out, p.simple(p.toks[start:p.pos]))
			}
			return out, nil
		}
		if t.Type == NEWLINE || (t.Type == OP && t.Text == ";" && depth == 0) {
			if p.pos > start {
				out = append(out, p.simple(p.toks[start:p.pos]))
			} else if t.Type == OP {
				return nil, p.errf(t.Line, "invalid syntax")
			}
			p.pos++
			if t.Type == NEWLINE {
				if len(out) == 0 {
					return nil, p.errf(t.Line, "invalid syntax")
				}
				return out, nil
			}
			if p.peek().Type == NEWLINE {
				p.pos++
				return out, nil
			}
			start = p.pos
			if f := p.peek(); f.Type == OP && (binaryOnlyOp(f.Text) || strings.Contains(":)]},", f.Text)) {
				return nil, p.errf(f.Line, "invalid syntax")
			}
			continue
		}
		if t.Type == INDENT || t.Type == DEDENT {
			return nil, p.errf(t.Line, "invalid syntax")
		}
		depth += t.Nesting()
		p.pos++
	}
}

func (p *parser) simple(toks []Token) *Stmt {
	s := &Stmt{Line: toks[0].Line, EndLine: toks[len(toks)-1].EndLine, Header: toks}
	f := toks[0]
	if f.Type == NAME {
		switch f.Text {
		case "return":
			s.Kind = SReturn
			return s
		case "raise":
			s.Kind = SRaise
			return s
		case "break":
			s.Kind = SBreak
			return s
		case "continue":
			s.Kind = SContinue
			return s
		case "pass":
			s.Kind = SPass
			return s
		case "global":
			s.Kind = SGlobal
			return s
		case "nonlocal":
			s.Kind = SNonlocal
			return s
		case "import", "from":
			s.Kind = SImport
			return s
		case "del":
			s.Kind = SDelete
			return s
		case "assert":
			s.Kind = SAssert
			return s
		case "type":
			if p.ver.AtLeast(3, 12) && len(toks) > 2 && toks[1].Type == NAME {
				s.Kind = STypeAlias
				return s
			}
		}
	}
	setExprKind(s)
	return s
}

// setExprKind tells an expression statement s from an assignment, an
// augmented one or an annotated one (with what that needs noted).
func setExprKind(s *Stmt) {
	toks := s.Header
	depth := 0
	lambdas := 0
	for i, t := range toks {
		if t.Type == NAME && t.Text == "lambda" && depth == 0 {
			lambdas++
		}
		if n := t.Nesting(); n != 0 {
			depth += n
			continue
		}
		if t.Type != OP || depth != 0 {
			continue
		}
		switch t.Text {
		case ":":
			if lambdas > 0 {
				lambdas--
				continue
			}
			s.Kind = SAnnAssign
			s.SimpleTarget = i == 1 && toks[0].Type == NAME
			s.ParenName = i == 3 && toks[0].Text == "(" && toks[1].Type == NAME && toks[2].Text == ")"
			for _, u := range toks[i+1:] {
				if u.Type == OP && u.Text == "=" {
					s.HasValue = true
				}
			}
			return
		case "=":
			s.Kind = SAssign
			return
		case "+=", "-=", "*=", "/=", "//=", "%=", "**=", ">>=", "<<=", "&=", "|=", "^=", "@=":
			s.Kind = SAugAssign
			return
		}
	}
	s.Kind = SExpr
}

func lastEnd(ss []*Stmt) int {
	if len(ss) == 0 {
		return 0
	}
	return ss[len(ss)-1].EndLine
}

// clause is one clause of a compound statement: a header and the suite
// after its ':'.
type clause struct {
	line   int // the header's first line
	header []Token
	body   []*Stmt
}

// clause parses the clause starting at the current token; what names it in
// an "expected an indented block after ..." error.
func (p *parser) clause(what string) (clause, error) {
	line := p.peek().Line
	h, err := p.header()
	if err != nil {
		return clause{}, err
	}
	body, err := p.suite(what, line)
	if err != nil {
		return clause{}, err
	}
	return clause{line: line, header: h, body: body}, nil
}

// compound parses the first clause of a compound statement of the given
// kind; the caller parses any clauses after it.
func (p *parser) compound(kind StmtKind, what string) (*Stmt, error) {
	c, err := p.clause(what)
	if err != nil {
		return nil, err
	}
	return &Stmt{Kind: kind, Line: c.line, Header: c.header, Body: c.body, EndLine: lastEnd(c.body)}, nil
}

func (p *parser) header() ([]Token, error) {
	end, err := p.headerEnd()
	if err != nil {
		return nil, err
	}
	h := p.toks[p.pos:end]
	p.pos = end + 1
	return h, nil
}

func (p *parser) ifStmt(elif bool) (*Stmt, error) {
	what := "'if' statement"
	if elif {
		what = "'elif' statement"
	}
	s, err := p.compound(SIf, what)
	if err != nil {
		return nil, err
	}
	s.Elif = elif
	t := p.peek()
	if isKeyword(t, "elif") {
		e, err := p.ifStmt(true)
		if err != nil {
			return nil, err
		}
		s.Orelse = []*Stmt{e}
		s.EndLine = e.EndLine
	} else if isKeyword(t, "else") {
		if err := p.elseClause(s, "'else' statement"); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (p *parser) elseClause(s *Stmt, what string) error {
	c, err := p.clause(what)
	if err != nil {
		return err
	}
	s.ElseLine, s.Orelse, s.EndLine = c.line, c.body, lastEnd(c.body)
	return nil
}

func (p *parser) loop(kind StmtKind, async bool) (*Stmt, error) {
	what := "'while' statement"
	if kind == SFor {
		what = "'for' statement"
	}
	s, err := p.compound(kind, what)
	if err != nil {
		return nil, err
	}
	s.Async = async
	if isKeyword(p.peek(), "else") {
		if err := p.elseClause(s, "'else' statement"); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (p *parser) withStmt(async bool) (*Stmt, error) {
	s, err := p.compound(SWith, "'with' statement")
	if err != nil {
		return nil, err
	}
	s.Async = async
	return s, nil
}

func (p *parser) tryStmt() (*Stmt, error) {
	s, err := p.compound(STry, "'try' statement")
	if err != nil {
		return nil, err
	}
	for isKeyword(p.peek(), "except") {
		c, err := p.clause("'except' statement")
		if err != nil {
			return nil, err
		}
		hd := &Handler{Line: c.line, EndLine: lastEnd(c.body), Header: c.header, Body: c.body}
		s.Handlers = append(s.Handlers, hd)
		s.EndLine = hd.EndLine
	}
	if isKeyword(p.peek(), "else") {
		if len(s.Handlers) == 0 {
			return nil, p.errf(p.peek().Line, "expected 'except' or 'finally' block")
		}
		if err := p.elseClause(s, "'else' statement"); err != nil {
			return nil, err
		}
	}
	if isKeyword(p.peek(), "finally") {
		c, err := p.clause("'finally' statement")
		if err != nil {
			return nil, err
		}
		s.FinallyLine, s.Finally, s.EndLine = c.line, c.body, lastEnd(c.body)
	}
	if len(s.Handlers) == 0 && s.FinallyLine == 0 {
		return nil, p.errf(p.peek().Line, "expected 'except' or 'finally' block")
	}
	return s, nil
}

func (p *parser) decorated() ([]*Stmt, error) {
	var decos []int
	for {
		t := p.peek()
		if !(t.Type == OP && t.Text == "@") {
			break
		}
		decos = append(decos, t.Line)
		if n := p.toks[p.pos+1]; n.Type == NEWLINE || n.Type == ENDMARKER {
			return nil, p.errf(n.Line, "invalid syntax")
		}
		for p.peek().Type != NEWLINE && p.peek().Type != ENDMARKER {
			p.pos++
		}
		if p.peek().Type == ENDMARKER {
			return nil, p.errf(p.peek().Line, "invalid syntax")
		}
		p.pos++
	}
	t := p.peek()
	async := false
	if isKeyword(t, "async") && isKeyword(p.toks[p.pos+1], "def") {
		async = true
	} else if !isKeyword(t, "def") && !isKeyword(t, "class") {
		return nil, p.errf(t.Line, "invalid syntax")
	}
	s, err := p.def(decos, async)
	return one(s, err)
}

func (p *parser) def(decos []int, async bool) (*Stmt, error) {
	kw := p.peek()
	i := p.pos
	if async {
		i++
	}
	kind := SFunctionDef
	what := "function definition"
	if p.toks[i].Text == "class" {
		kind = SClassDef
		what = "class definition"
	}
	name := p.toks[i+1]
	if name.Type != NAME || hardKeyword(name.Text) {
		return nil, p.errf(name.Line, "invalid syntax")
	}

	s, err := p.compound(kind, fmt.Sprintf("%s on line %d", what, kw.Line))
	if err != nil {
		if se, ok := err.(*syntaxError); ok && strings.HasPrefix(se.Msg, "expected an indented block after") {
			se.Msg = fmt.Sprintf("expected an indented block after %s on line %d", what, kw.Line)
		}
		return nil, err
	}
	s.Decorators, s.Name, s.Async = decos, name.Text, async
	return s, nil
}

func (p *parser) matchStmt() (*Stmt, error) {
	kw := p.peek()
	h, err := p.header()
	if err != nil {
		return nil, err
	}
	s := &Stmt{Kind: SMatch, Line: kw.Line, Header: h}
	if p.peek().Type != NEWLINE {
		return nil, p.errf(kw.Line, "invalid syntax")
	}
	p.pos++
	if p.peek().Type != INDENT {
		return nil, p.errf(p.peek().Line, "expected an indented block after 'match' statement on line %d", kw.Line)
	}
	p.pos++
	for {
		t := p.peek()
		if t.Type == DEDENT {
			p.pos++
			break
		}
		if t.Type == ENDMARKER {
			break
		}
		if !isKeyword(t, "case") {
			return nil, p.errf(t.Line, "invalid syntax")
		}
		cl, err := p.clause("'case' statement")
		if err != nil {
			return nil, err
		}
		c := &Case{Line: cl.line, EndLine: lastEnd(cl.body), Header: cl.header, Body: cl.body}
		c.Guard, c.Irrefutable = casePattern(cl.header[1:])
		s.Cases = append(s.Cases, c)
		s.EndLine = c.EndLine
	}
	if len(s.Cases) == 0 {
		return nil, p.errf(kw.Line, "invalid syntax")
	}
	return s, nil
}

// casePattern reports whether a case pattern has a guard and whether it is
// irrefutable (a capture or wildcard, possibly as the last alternative of an
// or-pattern, possibly with 'as NAME', no guard).
func casePattern(toks []Token) (guard, irrefutable bool) {
	depth := 0
	end := len(toks)
	for i, t := range toks {
		depth += t.Nesting()
		if depth == 0 && isKeyword(t, "if") {
			guard = true
			end = i
			break
		}
	}
	pat := toks[:end]
	// Last alternative of an or-pattern.
	alts := TopLevelSplit(pat, "|")
	pat = alts[len(alts)-1]
	for {
		// Strip "as NAME" and surrounding parens.
		if len(pat) >= 3 && isKeyword(pat[len(pat)-2], "as") {
			pat = pat[:len(pat)-2]
			continue
		}
		if len(pat) >= 2 && pat[0].Text == "(" && pat[len(pat)-1].Text == ")" && pat[0].Type == OP {
			inner := pat[1 : len(pat)-1]
			if !hasTopComma(inner) {
				pat = inner
				continue
			}
		}
		break
	}
	irrefutable = !guard && len(pat) == 1 && pat[0].Type == NAME && pat[0].Text != "None" && pat[0].Text != "True" && pat[0].Text != "False"
	return guard, irrefutable
}

func hasTopComma(toks []Token) bool { return TopLevelIndex(toks, ",") >= 0 }
