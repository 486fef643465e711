package pysource

import (
	"strconv"
	"strings"

	"github.com/covkit/covkit/releases"
)

// This file models which lines CPython's compiler gives line numbers to
// (the union of co_lines() over every code object coverage.py looks at):
// every reachable statement, clause header and decorator, but not code the
// compiler drops: bodies of constant-false tests, code after return, raise,
// break, continue and infinite loops, function docstrings, global and
// nonlocal, bare local annotations and, in 3.14, class-level bare
// annotations (they live in __annotate__, which coverage.py skips).
//
// Lines inside a multi-line statement need not be modelled one by one:
// coverage.py maps them all to the statement's first line.

type scopeKind uint8

const (
	scopeModule scopeKind = iota
	scopeClass
	scopeFunction
)

type loopCtx struct{ broke bool }

type codeModel struct {
	cs           *constScope
	ver          Version
	futureAnn    bool
	skipAnnotate bool
	lines        lineSet
}

// CodeLines returns the set of lines the compiled module's code objects
// have line numbers for, as coverage.py's ByteParser would find them.
//
// skipAnnotate drops code objects named __annotate__, as coverage.py 7.10+
// does.
func CodeLines(m *Module, ver Version, skipAnnotate bool) map[int]bool {
	out := map[int]bool{}
	for _, l := range codeLines(m, ver, skipAnnotate).sorted() {
		out[l] = true
	}
	return out
}

func codeLines(m *Module, ver Version, skipAnnotate bool) lineSet {
	cm := &codeModel{ver: releases.ClampPython(ver), futureAnn: hasFutureAnnotations(m), skipAnnotate: skipAnnotate}
	if n := len(m.Body); n > 0 {
		cm.lines = newLineSet(m.Body[n-1].EndLine)
	}
	cm.cs = newConstScope(false)
	markLast(m.Body)
	cm.docstringLine(m.Body)
	cm.block(m.Body, scopeModule, nil)
	cm.endConstScope()
	return cm.lines
}

// constScope follows one code object's constant table, for the 3.11-and-
// older rule that code objects compiled in a dropped branch survive only
// when a constant added after them is used: CPython trims the trailing
// unused constants. The table is approximated by the set of constants seen
// so far (literals, None, names of keyword arguments; code objects are
// always new).
type constScope struct {
	seen    map[string]bool
	pending []lineSet
}

func newConstScope(noneFirst bool) *constScope {
	cs := &constScope{seen: map[string]bool{}}
	if noneFirst {
		cs.seen["None"] = true
	}
	return cs
}

// endConstScope accounts for the implicit 'return None' ending the code.
func (cm *codeModel) endConstScope() {
	if cm.cs != nil && !cm.cs.seen["None"] {
		cm.flushPending()
	}
}

func (cm *codeModel) flushPending() {
	for _, p := range cm.cs.pending {
		for l, ok := range p {
			if ok {
				cm.lines.add(l)
			}
		}
	}
	cm.cs.pending = nil
}

// noteConsts records the constants a live statement's own tokens add.
func (cm *codeModel) noteConsts(s *Stmt) {
	cs := cm.cs
	if cs == nil || len(cs.pending) == 0 && !cm.ver.Less(Version{Major: 3, Minor: 12}) {
		return
	}
	fresh := false
	add := func(k string) {
		if !cs.seen[k] {
			cs.seen[k] = true
			fresh = true
		}
	}
	switch s.Kind {
	case SFunctionDef, SClassDef:
		fresh = true
	case SImport:
		add("n:0")
		add("None")
	case SReturn:
		if len(s.Header) == 1 {
			add("None")
		}
	case SWith:
		add("None")
	}
	if cm.hasNestedCode(s.Header) {
		fresh = true
	}
	for i, t := range s.Header {
		switch t.Type {
		case NUMBER:
			add("n:" + t.Text)
		case STRING:
			add("s:" + t.Text)
		case NAME:
			switch t.Text {
			case "None", "True", "False":
				add(t.Text)
			}
			if i+1 < len(s.Header) && s.Header[i+1].Text == "=" && i > 0 && (s.Header[i-1].Text == "(" || s.Header[i-1].Text == ",") {
				add("kw:" + t.Text)
			}
		case OP:
			if t.Text == "..." {
				add("...")
			}
		}
	}
	if fresh && len(cs.pending) > 0 {
		cm.flushPending()
	}
}

func hasFutureAnnotations(m *Module) bool {
	for i, s := range m.Body {
		if i == 0 && isDocstring(s) {
			continue
		}
		if s.Kind != SImport || len(s.Header) < 4 || s.Header[0].Text != "from" || s.Header[1].Text != "__future__" {
			return false
		}
		for _, t := range s.Header[3:] {
			if t.Type == NAME && t.Text == "annotations" {
				return true
			}
		}
	}
	return false
}

func (cm *codeModel) mark(line int) { cm.lines.add(line) }

// block compiles a reachable block and reports whether control can fall
// off its end.
func (cm *codeModel) block(ss []*Stmt, scope scopeKind, loop *loopCtx) bool {
	for _, s := range ss {
		if !cm.stmt(s, scope, loop) {
			return false
		}
	}
	return true
}

// deadBlock handles a block the compiler drops. Up to 3.11 the compiler
// still visits the branches of constant tests without emitting bytecode,
// and the code objects nested in them (functions, classes, lambdas,
// comprehensions) keep their line numbers; from 3.12 on nothing is left.
func (cm *codeModel) deadBlock(ss []*Stmt, pure bool) {
	// 3.9 adds no constant for them at all (nothing is emitted), so none
	// survive.
	if pure && cm.ver.Less(Version{Major: 3, Minor: 12}) && cm.ver.AtLeast(3, 10) {
		saved := cm.lines
		cm.lines = nil
		cm.nested(ss)
		if !cm.lines.empty() {
			cm.cs.pending = append(cm.cs.pending, cm.lines)
		}
		cm.lines = saved
	}
}

// nested marks the lines of the code objects nested in ss, whose own
// bytecode is not counted (a dropped branch, or a skipped __annotate__).
func (cm *codeModel) nested(ss []*Stmt) {
	for _, s := range ss {
		switch s.Kind {
		case SFunctionDef, SClassDef:
			first := s.Line
			if len(s.Decorators) > 0 {
				first = s.Decorators[0]
			}
			if cm.hasNestedCode(s.Header) {
				cm.mark(s.Line)
			}
			// Before 3.11 (no RESUME) a function's own code has no
			// instruction on its first line; a class body's has.
			if s.Kind == SClassDef || cm.ver.AtLeast(3, 11) {
				cm.mark(first)
			}
			if s.Kind == SFunctionDef {
				cm.function(s)
			} else {
				cm.class(s)
			}
			continue
		}
		if cm.hasNestedCode(s.Header) {
			cm.mark(s.Line)
		}
		cm.nested(s.Body)
		cm.nested(s.Orelse)
		for _, h := range s.Handlers {
			if cm.hasNestedCode(h.Header) {
				cm.mark(h.Line)
			}
			cm.nested(h.Body)
		}
		cm.nested(s.Finally)
		for _, c := range s.Cases {
			if cm.hasNestedCode(c.Header) {
				cm.mark(c.Line)
			}
			cm.nested(c.Body)
		}
	}
}

// hasNestedCode reports whether an expression makes a code object: a lambda,
// a generator expression, or (before 3.12) any comprehension.
func (cm *codeModel) hasNestedCode(toks []Token) bool {
	var stack []string
	for _, t := range toks {
		if t.Type == NAME && t.Text == "lambda" {
			return true
		}
		if t.Type == NAME && t.Text == "for" && len(stack) > 0 {
			if cm.ver.Less(Version{Major: 3, Minor: 12}) || stack[len(stack)-1] == "(" {
				return true
			}
		}
		if t.Type == OP {
			switch t.Text {
			case "(", "[", "{":
				stack = append(stack, t.Text)
			case ")", "]", "}":
				if len(stack) > 0 {
					stack = stack[:len(stack)-1]
				}
			}
		}
	}
	return false
}

// function compiles a function body (its own code object).
func (cm *codeModel) function(s *Stmt) {
	body := s.Body
	if len(body) > 0 && isDocstring(body[0]) {
		body = body[1:]
	}
	saved := cm.cs
	cm.cs = newConstScope(len(body) == len(s.Body))
	defer func() { cm.cs = saved }()
	if s.Name == "__annotate__" && cm.skipAnnotate {
		// coverage.py skips code objects named __annotate__ (3.14's
		// deferred annotations), whatever defines them.
		cm.nested(body)
		return
	}
	markLast(body)
	cm.block(body, scopeFunction, nil)
	cm.endConstScope()
}

// docstringLine marks the line of a module's or class's docstring for
// 3.9, which compiles no code for other constant expression statements but
// stores this one in __doc__.
func (cm *codeModel) docstringLine(body []*Stmt) {
	if cm.ver.Less(Version{Major: 3, Minor: 10}) && len(body) > 0 && isDocstring(body[0]) {
		cm.mark(body[0].Line)
	}
}

// markLast flags, in a code object's body, the statements after which the
// next instruction comes from an enclosing construct rather than from a
// following statement (3.9 gives a statement that compiles to nothing,
// such as pass, the line of that next instruction): the last statement of
// the body (the implicit 'return None' follows), and recursively the last
// of every block its construct ends with an instruction (a loop's jump
// back, try's POP_BLOCK, a handler's POP_EXCEPT, an if-body's jump over
// its else, a finally block's jump or re-raise).
func markLast(body []*Stmt) { markTail(body, true) }

func markTail(body []*Stmt, tail bool) {
	for i, s := range body {
		last := i == len(body)-1 && tail
		s.lastInCode = last
		switch s.Kind {
		case SIf:
			markTail(s.Body, len(s.Orelse) > 0 || last)
			markTail(s.Orelse, last)
		case SWhile, SFor:
			markTail(s.Body, true)
			markTail(s.Orelse, last)
		case STry:
			markTail(s.Body, true)
			for _, h := range s.Handlers {
				markTail(h.Body, true)
			}
			markTail(s.Orelse, len(s.Finally) > 0 || last)
			markTail(s.Finally, true)
		case SWith:
			markTail(s.Body, true)
		}
	}
}

// class compiles a class body (its own code object).
func (cm *codeModel) class(s *Stmt) {
	saved := cm.cs
	cm.cs = newConstScope(false)
	markLast(s.Body)
	cm.docstringLine(s.Body)
	cm.block(s.Body, scopeClass, nil)
	cm.endConstScope()
	cm.cs = saved
}

func (cm *codeModel) stmt(s *Stmt, scope scopeKind, loop *loopCtx) bool {
	if s.Kind != SClassDef {
		cm.noteConsts(s)
	}
	switch s.Kind {
	case SGlobal, SNonlocal:
		return true
	case SDelete:
		// del () deletes nothing.
		if len(s.Header) == 3 && s.Header[1].Text == "(" && s.Header[2].Text == ")" {
			return true
		}
		cm.mark(s.Line)
		return true
	case SAnnAssign:
		return cm.annAssign(s, scope, loop)
	case SReturn, SRaise, SContinue:
		cm.mark(s.Line)
		return false
	case SBreak:
		cm.mark(s.Line)
		if loop != nil {
			loop.broke = true
		}
		return false
	case SAssert:
		cm.mark(s.Line)
		test := s.Header[1:]
		if i := TopLevelIndex(test, ","); i >= 0 {
			test = test[:i]
		}
		// 3.9 does not know that 'assert False' never falls through.
		return cm.constTruth(test) != truthFalse || cm.ver.Less(Version{Major: 3, Minor: 10})
	case SIf:
		return cm.ifStmt(s, scope, loop)
	case SWhile:
		return cm.whileStmt(s, scope, loop)
	case SFor:
		cm.mark(s.Line)
		lc := &loopCtx{}
		cm.block(s.Body, scope, lc)
		of := true
		if len(s.Orelse) > 0 {
			of = cm.block(s.Orelse, scope, loop)
		}
		return of || lc.broke
	case STry:
		return cm.tryStmt(s, scope, loop)
	case SWith:
		cm.mark(s.Line)
		cm.block(s.Body, scope, loop)
		return true
	case SFunctionDef:
		for _, d := range s.Decorators {
			cm.mark(d)
		}
		cm.mark(s.Line)
		cm.function(s)
		return true
	case SClassDef:
		for _, d := range s.Decorators {
			cm.mark(d)
		}
		cm.mark(s.Line)
		cm.noteConsts(s)
		cm.class(s)
		return true
	case SMatch:
		return cm.matchStmt(s, scope, loop)
	case SPass:
		// 3.9 compiles pass to nothing: it has a line only when an
		// enclosing construct's instruction comes next.
		if cm.ver.Less(Version{Major: 3, Minor: 10}) && !s.lastInCode {
			return true
		}
		cm.mark(s.Line)
		return true
	case SExpr:
		if cm.ver.Less(Version{Major: 3, Minor: 10}) && !s.lastInCode {
			// 3.9 compiles no code for a constant expression statement,
			// unless the code's implicit 'return None' takes its line.
			if c, pure := cm.constTest(s.Header); pure && c != truthUnknown {
				return true
			}
		}
		cm.mark(s.Line)
		return true
	default:
		cm.mark(s.Line)
		return true
	}
}

// annAssign models an annotated assignment; it reports whether control can go on after it.
func (cm *codeModel) annAssign(s *Stmt, scope scopeKind, loop *loopCtx) bool {
	if !s.HasValue && s.ParenName && scope == scopeFunction {
		return true
	}
	if s.HasValue || !s.SimpleTarget {
		cm.mark(s.Line)
		return true
	}
	switch scope {
	case scopeFunction:
	case scopeClass:
		if cm.ver.Less(Version{Major: 3, Minor: 14}) || cm.futureAnn {
			cm.mark(s.Line)
		}
	default:
		cm.mark(s.Line)
	}
	return true
}

// ifStmt models an if statement; it reports whether control can go on after it.
func (cm *codeModel) ifStmt(s *Stmt, scope scopeKind, loop *loopCtx) bool {
	c, pure := cm.constTest(s.Header[1:])
	if !(pure && c != truthUnknown && cm.ver.Less(Version{Major: 3, Minor: 10})) {
		// Before PEP 626 (3.10) a folded test leaves no line.
		cm.mark(s.Line)
	}
	bf := false
	if c != truthFalse {
		bf = cm.block(s.Body, scope, loop)
	} else {
		cm.deadBlock(s.Body, pure)
	}
	of := c != truthTrue
	if len(s.Orelse) > 0 {
		if c != truthTrue {
			of = cm.block(s.Orelse, scope, loop)
		} else {
			cm.deadBlock(s.Orelse, pure)
		}
	}
	return bf || of
}

// whileStmt models a while loop; it reports whether control can go on after it.
func (cm *codeModel) whileStmt(s *Stmt, scope scopeKind, loop *loopCtx) bool {
	c, pure := cm.constTest(s.Header[1:])
	if !(pure && c != truthUnknown && cm.ver.Less(Version{Major: 3, Minor: 10})) {
		cm.mark(s.Line)
	}
	lc := &loopCtx{}
	if c != truthFalse {
		cm.block(s.Body, scope, lc)
	} else {
		cm.deadBlock(s.Body, pure)
	}
	if c == truthTrue {
		return lc.broke
	}
	of := true
	if len(s.Orelse) > 0 {
		of = cm.block(s.Orelse, scope, loop)
	}
	return of || lc.broke
}

// tryStmt models a try statement; it reports whether control can go on after it.
func (cm *codeModel) tryStmt(s *Stmt, scope scopeKind, loop *loopCtx) bool {
	cm.mark(s.Line)
	bf := cm.block(s.Body, scope, loop)
	anyH := false
	for _, h := range s.Handlers {
		cm.mark(h.Line)
		if cm.block(h.Body, scope, loop) {
			anyH = true
		}
	}
	ef := bf
	if len(s.Orelse) > 0 {
		if bf {
			ef = cm.block(s.Orelse, scope, loop)
		}
	}
	ff := true
	if s.FinallyLine != 0 {
		ff = cm.block(s.Finally, scope, loop)
	}
	return (ef || anyH) && ff
}

// matchStmt models a match statement; it reports whether control can go on after it.
func (cm *codeModel) matchStmt(s *Stmt, scope scopeKind, loop *loopCtx) bool {
	cm.mark(s.Line)
	anyF := false
	irref := false
	for _, c := range s.Cases {
		cm.mark(c.Line)
		if c.Guard {
			// A guard the compiler folds to false makes the body dead.
			if g := caseGuard(c.Header); g != nil && cm.constTruth(g) == truthFalse {
				continue
			}
		}
		if cm.block(c.Body, scope, loop) {
			anyF = true
		}
		if c.Irrefutable {
			irref = true
		}
	}
	return anyF || !irref
}

// isDocstring reports whether s is an expression statement made of a
// constant str: string literals (no f-, t- or b-strings), maybe parenthesized.
func isDocstring(s *Stmt) bool {
	if s.Kind != SExpr {
		return false
	}
	toks := s.Header
	for len(toks) >= 2 && toks[0].Type == OP && toks[0].Text == "(" && toks[len(toks)-1].Type == OP && toks[len(toks)-1].Text == ")" && MatchingClose(toks, 0) == len(toks)-1 {
		toks = toks[1 : len(toks)-1]
	}
	if len(toks) == 0 {
		return false
	}
	for _, t := range toks {
		if t.Type != STRING || strings.ContainsAny(stringPrefix(t.Text), "fFbBtT") {
			return false
		}
	}
	return true
}

func stringPrefix(s string) string {
	i := strings.IndexAny(s, "'\"")
	if i < 0 {
		return ""
	}
	return s[:i]
}

// constTest is constTruth, also telling whether the test is a plain
// constant (after the AST optimizer's folding) rather than a boolean
// operation that merely always goes one way.
func (cm *codeModel) constTest(toks []Token) (truth, bool) {
	c := cm.constTruth(toks)
	if c == truthUnknown {
		return c, false
	}
	return c, len(splitTop(toks, "or")) == 1 && len(splitTop(toks, "and")) == 1
}

type truth int8

const (
	truthUnknown truth = iota
	truthFalse
	truthTrue
)

// splitTop splits toks at top-level NAME keyword kw.
func splitTop(toks []Token, kw string) [][]Token {
	var parts [][]Token
	depth := 0
	start := 0
	for i, t := range toks {
		depth += t.Nesting()
		if depth == 0 && t.Type == NAME && t.Text == kw {
			parts = append(parts, toks[start:i])
			start = i + 1
		}
	}
	return append(parts, toks[start:])
}

// constTruth evaluates a test expression the way the compiler folds it when
// deciding which branch of an if/while is dead.
func (cm *codeModel) constTruth(toks []Token) truth {
	if len(toks) == 0 {
		return truthUnknown
	}
	// Conditional expressions and lambdas are never folded here.
	if parts := splitTop(toks, "or"); len(parts) > 1 {
		all := true
		for _, p := range parts {
			switch cm.constTruth(p) {
			case truthTrue:
				return truthTrue
			case truthUnknown:
				all = false
			}
		}
		if all {
			return truthFalse
		}
		return truthUnknown
	}
	if parts := splitTop(toks, "and"); len(parts) > 1 {
		all := true
		for _, p := range parts {
			switch cm.constTruth(p) {
			case truthFalse:
				return truthFalse
			case truthUnknown:
				all = false
			}
		}
		if all {
			return truthTrue
		}
		return truthUnknown
	}
	if isKeyword(toks[0], "not") {
		// Iterate over chains of 'not' rather than recurse.
		n := 0
		for n < len(toks) && isKeyword(toks[n], "not") {
			n++
		}
		c := cm.constTruth(toks[n:])
		if c != truthUnknown && n%2 == 1 {
			c = truthTrue + truthFalse - c
		}
		return c
	}
	if toks[0].Type == OP && toks[0].Text == "(" && MatchingClose(toks, 0) == len(toks)-1 {
		inner := toks[1 : len(toks)-1]
		if len(inner) == 0 {
			// The empty tuple: a constant before 3.14's AST changes.
			if cm.ver.Less(Version{Major: 3, Minor: 14}) {
				return truthFalse
			}
			return truthUnknown
		}
		if hasTopComma(inner) {
			if cm.ver.Less(Version{Major: 3, Minor: 14}) && cm.constTuple(inner) {
				return truthTrue
			}
			return truthUnknown
		}
		return cm.constTruth(inner)
	}
	return cm.atomTruth(toks)
}

func (cm *codeModel) constTuple(toks []Token) bool {
	depth := 0
	start := 0
	for i := 0; i <= len(toks); i++ {
		if i == len(toks) || (toks[i].Type == OP && toks[i].Text == "," && depth == 0) {
			el := toks[start:i]
			if len(el) > 0 && cm.atomTruth(el) == truthUnknown {
				return false
			}
			start = i + 1
			continue
		}
		depth += toks[i].Nesting()
	}
	return true
}

func (cm *codeModel) atomTruth(toks []Token) truth {
	if len(toks) == 2 && toks[0].Type == OP && (toks[0].Text == "-" || toks[0].Text == "+") && toks[1].Type == NUMBER {
		if !cm.ver.Less(Version{Major: 3, Minor: 14}) {
			return truthUnknown
		}
		return numberTruth(toks[1].Text)
	}
	if len(toks) == 1 {
		t := toks[0]
		switch t.Type {
		case NUMBER:
			return numberTruth(t.Text)
		case NAME:
			switch t.Text {
			case "True", "__debug__":
				return truthTrue
			case "False", "None":
				return truthFalse
			}
		case OP:
			if t.Text == "..." {
				return truthTrue
			}
		}
	}
	// Concatenated string literals.
	empty := true
	for _, t := range toks {
		if t.Type != STRING || strings.ContainsAny(stringPrefix(t.Text), "fFtT") {
			return truthUnknown
		}
		if !emptyStringLiteral(t.Text) {
			empty = false
		}
	}
	if empty {
		return truthFalse
	}
	return truthTrue
}

func emptyStringLiteral(s string) bool {
	body := s[len(stringPrefix(s)):]
	return body == `""` || body == `''` || body == `""""""` || body == `''''''`
}

func numberTruth(s string) truth {
	s = strings.ToLower(strings.ReplaceAll(s, "_", ""))
	s = strings.TrimSuffix(s, "j")
	s = strings.TrimSuffix(s, "l")
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o' || s[1] == 'b') {
		if strings.Trim(s[2:], "0") == "" {
			return truthFalse
		}
		return truthTrue
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		// Octal-looking or huge literals: any non-zero digit means true.
		if strings.Trim(s, "0.e+-") == "" {
			return truthFalse
		}
		return truthTrue
	}
	if f == 0 {
		return truthFalse
	}
	return truthTrue
}

// caseGuard returns the tokens of a case clause's guard expression.
func caseGuard(header []Token) []Token {
	depth := 0
	for i, t := range header {
		depth += t.Nesting()
		if i > 0 && depth == 0 && isKeyword(t, "if") {
			return header[i+1:]
		}
	}
	return nil
}
