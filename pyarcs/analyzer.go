package pyarcs

import (
	"sort"
	"strings"

	"github.com/covkit/covkit/pysource"
)

// kindNodeList marks a synthetic statement holding the surviving part of a
// statement the compiler optimized away (coverage.py < 7.7's NodeList).
const kindNodeList pysource.StmtKind = 250

// arcStart is coverage.py's ArcStart: a line an arc leaves from, and the
// cause to give when the arc is missing ("{lineno}" is the line).
type arcStart struct {
	line  int
	cause string
}

// exitSet is a set of arc starts.
type exitSet map[arcStart]bool

func one(l int) exitSet { return exitSet{{l, ""}: true} }

func oneC(l int, cause string) exitSet { return exitSet{{l, cause}: true} }

// fragment is one (missing_cause_msg, action_msg) pair of an arc; the cause
// is never None where pyarcs records fragments.
type fragment struct {
	cause     string
	action    string
	hasAction bool
}

const (
	causeBreak        = "the break on line {lineno} wasn't executed"
	causeContinue     = "the continue on line {lineno} wasn't executed"
	causeRaise        = "the raise on line {lineno} wasn't executed"
	causeReturn       = "the return on line {lineno} wasn't executed"
	causeNeverStarted = "the loop on line {lineno} never started"
	causeNotComplete  = "the loop on line {lineno} didn't complete"
	causeNeverTrue    = "the condition on line {lineno} was never true"
	causeAlwaysTrue   = "the condition on line {lineno} was always true"
	causeAlwaysMatch  = "the pattern on line {lineno} always matched"
	causeNeverMatch   = "the pattern on line {lineno} never matched"
	causeNoException  = "the exception caught by line {lineno} didn't happen"
)

func (e exitSet) union(o exitSet) exitSet {
	for l := range o {
		e[l] = true
	}
	return e
}

// sorted gives a deterministic order (the arcs do not depend on it).
func (e exitSet) sorted() []arcStart {
	out := make([]arcStart, 0, len(e))
	for l := range e {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].line != out[j].line {
			return out[i].line < out[j].line
		}
		return out[i].cause < out[j].cause
	})
	return out
}

type blockKind uint8

const (
	loopBlock blockKind = iota
	functionBlock
	tryBlock
	withBlock
)

type block struct {
	kind  blockKind
	start int
	name  string
	// loop
	breakExits exitSet
	// try
	handlerStart, finalStart int // 0: none
	// try and with (coverage.py < 7.7): exits routed through finally/with
	breakFrom, continueFrom, raiseFrom, returnFrom exitSet
}

type analyzer struct {
	ver, cov   pysource.Version
	newModel   bool
	fl         func(int) int
	statements map[int]bool
	arcs       map[[2]int]bool
	frags      map[[2]int][]fragment
	blocks     []*block

	// coverage.py 7.7+: with statements, for fix_with_jumps.
	curWith, allWith    map[int]bool
	withEntry, withExit map[[2]int]bool

	// synthetic `while True:` statements (coverage.py < 7.7).
	synthTrue map[*pysource.Stmt]bool
}

func (an *analyzer) addArc(from, to int) {
	an.arcs[[2]int{from, to}] = true
	if an.curWith[from] {
		an.withEntry[[2]int{from, to}] = true
	}
}

// addFrag adds an arc with its message fragment.
func (an *analyzer) addFrag(from, to int, cause string) {
	an.addArc(from, to)
	k := [2]int{from, to}
	an.frags[k] = append(an.frags[k], fragment{cause: cause})
}

func (an *analyzer) addAction(from, to int, cause, action string) {
	an.addArc(from, to)
	k := [2]int{from, to}
	an.frags[k] = append(an.frags[k], fragment{cause: cause, action: action, hasAction: true})
}

// analyze visits every code object of the module (module, functions,
// classes).
func (an *analyzer) analyze(body []*pysource.Stmt) {
	an.module(body)
	walkStmts(body, func(s *pysource.Stmt) {
		switch s.Kind {
		case pysource.SFunctionDef:
			an.function(s)
		case pysource.SClassDef:
			an.class(s)
		}
	})
}

func (an *analyzer) moduleStart(body []*pysource.Stmt) int {
	if an.newModel || an.ver.AtLeast(3, 10) || len(body) == 0 {
		return 1
	}
	return an.lineFor(body[0])
}

func (an *analyzer) module(body []*pysource.Stmt) {
	start := an.moduleStart(body)
	if len(body) == 0 {
		if !an.newModel {
			an.addArc(-start, start)
		}
		an.addArc(start, -start)
		return
	}
	var exits exitSet
	if an.newModel {
		exits = an.processBody(body, nil)
	} else {
		exits = an.processBody(body, one(-start))
	}
	for _, x := range exits.sorted() {
		an.addAction(x.line, -start, x.cause, "exit the module")
	}
}

func (an *analyzer) function(s *pysource.Stmt) {
	start := an.lineFor(s)
	an.blocks = append(an.blocks, &block{kind: functionBlock, start: start, name: s.Name})
	var exits exitSet
	if an.newModel {
		exits = an.processBody(s.Body, nil)
	} else {
		exits = an.processBody(s.Body, one(-start))
	}
	an.processReturn(exits)
	an.blocks = an.blocks[:len(an.blocks)-1]
}

func (an *analyzer) class(s *pysource.Stmt) {
	start := an.lineFor(s)
	var exits exitSet
	if an.newModel {
		exits = an.processBody(s.Body, nil)
	} else {
		an.addArc(-start, start)
		exits = an.processBody(s.Body, one(start))
	}
	for _, x := range exits.sorted() {
		an.addAction(x.line, -start, x.cause, "exit class "+pyRepr(s.Name))
	}
}

// lineFor is coverage.py's line_for_node for a statement. Expression
// positions inside a statement's first logical line all map to its first
// line, so only decorated definitions and synthetic nodes are special.
func (an *analyzer) lineFor(s *pysource.Stmt) int {
	if s.Kind == kindNodeList || an.synthTrue[s] {
		return s.Line
	}
	if (s.Kind == pysource.SFunctionDef || s.Kind == pysource.SClassDef) && len(s.Decorators) > 0 {
		return an.fl(s.Decorators[0])
	}
	return an.fl(s.Line)
}

// processBody is process_body (7.7+) / body_exits (older): arcs between the
// statements of a suite, entered from prev; returns the suite's exits.
func (an *analyzer) processBody(body []*pysource.Stmt, prev exitSet) exitSet {
	if prev == nil {
		prev = exitSet{}
	}
	for _, s := range body {
		line := an.lineFor(s)
		if !an.statements[an.fl(line)] {
			if an.newModel {
				continue
			}
			ns := an.findNonMissing(s)
			if ns == nil {
				continue
			}
			s = ns
			line = an.lineFor(s)
		}
		for _, p := range prev.sorted() {
			an.addFrag(p.line, line, p.cause)
		}
		prev = an.nodeExits(s)
	}
	return prev
}

// findNonMissing is coverage.py < 7.7's find_non_missing_node: a statement
// the compiler dropped may still have surviving parts.
func (an *analyzer) findNonMissing(s *pysource.Stmt) *pysource.Stmt {
	if an.statements[an.fl(an.lineFor(s))] {
		return s
	}
	switch {
	case s.Kind == kindNodeList:
		var kids []*pysource.Stmt
		for _, c := range s.Body {
			if k := an.findNonMissing(c); k != nil {
				kids = append(kids, k)
			}
		}
		switch len(kids) {
		case 0:
			return nil
		case 1:
			return kids[0]
		}
		return nodeList(kids)
	case s.Kind == pysource.SIf:
		if n := an.findNonMissing(nodeList(s.Body)); n != nil {
			return n
		}
		if len(s.Orelse) > 0 {
			return an.findNonMissing(nodeList(s.Orelse))
		}
		return nil
	case s.Kind == pysource.SWhile:
		n := an.findNonMissing(nodeList(s.Body))
		if n == nil {
			return nil
		}
		body := n.Body
		if n.Kind != kindNodeList && len(n.Body) == 0 {
			// coverage.py would fail an assertion here.
			body = []*pysource.Stmt{n}
		}
		w := &pysource.Stmt{Kind: pysource.SWhile, Line: astLine(n), EndLine: n.EndLine, Body: body}
		an.synthTrue[w] = true
		return w
	}
	return nil
}

// astLine is the node's lineno attribute (a decorated definition's is its
// def/class line).
func astLine(s *pysource.Stmt) int { return s.Line }

func nodeList(body []*pysource.Stmt) *pysource.Stmt {
	line := 0
	if len(body) > 0 {
		line = astLine(body[0])
	}
	return &pysource.Stmt{Kind: kindNodeList, Line: line, Body: body}
}

// Jumps: break, continue, raise, return go to the nearest block that takes
// them.

func (an *analyzer) processBreak(exits exitSet) {
	for i := len(an.blocks) - 1; i >= 0; i-- {
		b := an.blocks[i]
		switch b.kind {
		case loopBlock:
			b.breakExits.union(exits)
			return
		case tryBlock:
			if !an.newModel && b.finalStart != 0 {
				b.breakFrom.union(exits)
				return
			}
		case withBlock:
			an.withJump(b, exits, b.breakFrom)
			return
		}
	}
}

func (an *analyzer) processContinue(exits exitSet) {
	for i := len(an.blocks) - 1; i >= 0; i-- {
		b := an.blocks[i]
		switch b.kind {
		case loopBlock:
			for _, x := range exits.sorted() {
				an.addFrag(x.line, b.start, x.cause)
			}
			return
		case tryBlock:
			if !an.newModel && b.finalStart != 0 {
				b.continueFrom.union(exits)
				return
			}
		case withBlock:
			an.withJump(b, exits, b.continueFrom)
			return
		}
	}
}

func (an *analyzer) processRaise(exits exitSet) {
	for i := len(an.blocks) - 1; i >= 0; i-- {
		b := an.blocks[i]
		switch b.kind {
		case functionBlock:
			for _, x := range exits.sorted() {
				an.addAction(x.line, -b.start, x.cause, "except from function "+pyRepr(b.name))
			}
			return
		case tryBlock:
			if b.handlerStart != 0 {
				for _, x := range exits.sorted() {
					an.addFrag(x.line, b.handlerStart, x.cause)
				}
			} else if !an.newModel {
				b.raiseFrom.union(exits)
			}
			return
		case withBlock:
			an.withJump(b, exits, nil)
			return
		}
	}
}

func (an *analyzer) processReturn(exits exitSet) {
	for i := len(an.blocks) - 1; i >= 0; i-- {
		b := an.blocks[i]
		switch b.kind {
		case functionBlock:
			for _, x := range exits.sorted() {
				an.addAction(x.line, -b.start, x.cause, "return from function "+pyRepr(b.name))
			}
			return
		case tryBlock:
			if !an.newModel && b.finalStart != 0 {
				b.returnFrom.union(exits)
				return
			}
		case withBlock:
			an.withJump(b, exits, b.returnFrom)
			return
		}
	}
}

func (an *analyzer) withJump(b *block, exits, from exitSet) {
	for _, x := range exits.sorted() {
		an.addFrag(x.line, b.start, x.cause)
	}
	if from != nil {
		from.union(exits)
	}
}

// nodeExits is node_exits: the statement's arcs, and its exits.
func (an *analyzer) nodeExits(s *pysource.Stmt) exitSet {
	switch s.Kind {
	case kindNodeList:
		return an.processBody(s.Body, one(an.lineFor(s)))
	case pysource.SBreak:
		an.processBreak(oneC(an.lineFor(s), causeBreak))
		return exitSet{}
	case pysource.SContinue:
		an.processContinue(oneC(an.lineFor(s), causeContinue))
		return exitSet{}
	case pysource.SRaise:
		an.processRaise(oneC(an.lineFor(s), causeRaise))
		return exitSet{}
	case pysource.SReturn:
		an.processReturn(oneC(an.lineFor(s), causeReturn))
		return exitSet{}
	case pysource.SFunctionDef, pysource.SClassDef:
		return an.decorated(s)
	case pysource.SFor:
		return an.forStmt(s)
	case pysource.SWhile:
		return an.whileStmt(s)
	case pysource.SIf:
		return an.ifStmt(s)
	case pysource.STry:
		if an.newModel {
			return an.tryNew(s)
		}
		if isTryStar(s) {
			// coverage.py < 7.7 has no handler for except*: a simple
			// statement to it.
			return one(an.lineFor(s))
		}
		return an.tryOld(s)
	case pysource.SWith:
		if an.newModel {
			return an.withNew(s)
		}
		return an.withOld(s)
	case pysource.SMatch:
		return an.match(s)
	}
	return one(an.lineFor(s))
}

func (an *analyzer) decorated(s *pysource.Stmt) exitSet {
	main := s.Line
	last := main
	if len(s.Decorators) == 0 {
		return one(last)
	}
	dl := func(i int) int { return an.fl(s.Decorators[i]) }
	for i := range s.Decorators {
		d := dl(i)
		if i > 0 && d != last {
			an.addArc(last, d)
		}
		last = d
	}
	an.addArc(last, main)
	last = main
	if !an.newModel {
		if an.ver.AtLeast(3, 11) {
			// trace_decorator_line_again
			for i := 0; i+1 < len(s.Decorators); i++ {
				an.addArc(dl(i+1), dl(i))
			}
			an.addArc(dl(0), main)
			an.addArc(main, dl(len(s.Decorators)-1))
		}
		if !an.cov.AtLeast(7, 0) && len(s.Body) > 0 {
			bodyStart := an.fl(an.lineFor(s.Body[0]))
			for l := last + 1; l < bodyStart; l++ {
				if an.statements[l] {
					an.addArc(last, l)
					last = l
				}
			}
		}
	}
	return one(last)
}

func (an *analyzer) forStmt(s *pysource.Stmt) exitSet {
	start := an.lineFor(s)
	b := &block{kind: loopBlock, start: start, breakExits: exitSet{}}
	an.blocks = append(an.blocks, b)
	exits := an.processBody(s.Body, oneC(start, causeNeverStarted))
	for _, x := range exits.sorted() {
		an.addFrag(x.line, start, x.cause)
	}
	an.blocks = an.blocks[:len(an.blocks)-1]
	exits = b.breakExits
	if len(s.Orelse) > 0 {
		exits.union(an.processBody(s.Orelse, oneC(start, causeNotComplete)))
	} else {
		exits[arcStart{start, causeNotComplete}] = true
	}
	return exits
}

func (an *analyzer) whileStmt(s *pysource.Stmt) exitSet {
	start := an.lineFor(s)
	toTop := start
	var constant bool
	if an.synthTrue[s] {
		constant = true
	} else if an.newModel {
		constant, _ = constantTest(s.Header[1:], true)
	} else {
		constant, _ = constantTest(s.Header[1:], false)
	}
	if constant && !an.newModel && !an.ver.AtLeast(3, 10) && len(s.Body) > 0 {
		// Before PEP 626 a constant while test was compiled away.
		toTop = an.lineFor(s.Body[0])
	}
	b := &block{kind: loopBlock, start: toTop, breakExits: exitSet{}}
	an.blocks = append(an.blocks, b)
	exits := an.processBody(s.Body, oneC(start, causeNeverTrue))
	for _, x := range exits.sorted() {
		an.addFrag(x.line, toTop, x.cause)
	}
	an.blocks = an.blocks[:len(an.blocks)-1]
	exits = exitSet{}
	exits.union(b.breakExits)
	if len(s.Orelse) > 0 {
		exits.union(an.processBody(s.Orelse, oneC(start, causeAlwaysTrue)))
	} else if !constant {
		exits[arcStart{start, causeAlwaysTrue}] = true
	}
	return exits
}

func (an *analyzer) ifStmt(s *pysource.Stmt) exitSet {
	start := an.lineFor(s)
	constant, val := false, false
	if an.newModel {
		constant, val = constantTest(s.Header[1:], true)
	}
	exits := exitSet{}
	if !constant || val {
		exits.union(an.processBody(s.Body, oneC(start, causeNeverTrue)))
	}
	if !constant || !val {
		exits.union(an.processBody(s.Orelse, oneC(start, causeAlwaysTrue)))
	}
	return exits
}

func (an *analyzer) match(s *pysource.Stmt) exitSet {
	start := an.lineFor(s)
	last := start
	exits := exitSet{}
	caseStart := start
	wildcard := false
	for _, c := range s.Cases {
		caseStart = an.fl(c.Line)
		if !an.cov.AtLeast(7, 0) && patternIsMatchAs(c.Header[1:]) {
			wildcard = true
		}
		an.addFrag(last, caseStart, causeAlwaysMatch)
		exits.union(an.processBody(c.Body, oneC(caseStart, causeNeverMatch)))
		last = caseStart
	}
	if an.cov.AtLeast(7, 0) && len(s.Cases) > 0 {
		c := s.Cases[len(s.Cases)-1]
		wildcard = caseIsWildcard(c.Header[1:], an.newModel)
	}
	if !wildcard {
		exits[arcStart{caseStart, causeAlwaysMatch}] = true
	}
	return exits
}

func (an *analyzer) tryOld(s *pysource.Stmt) exitSet {
	handlerStart, finalStart := 0, 0
	if len(s.Handlers) > 0 {
		handlerStart = an.fl(s.Handlers[0].Line)
	}
	if len(s.Finally) > 0 {
		finalStart = an.lineFor(s.Finally[0])
	}
	b := &block{kind: tryBlock, handlerStart: handlerStart, finalStart: finalStart,
		breakFrom: exitSet{}, continueFrom: exitSet{}, raiseFrom: exitSet{}, returnFrom: exitSet{}}
	an.blocks = append(an.blocks, b)
	start := an.lineFor(s)
	exits := an.processBody(s.Body, one(start))
	if len(s.Finally) > 0 {
		b.handlerStart = 0
		if len(s.Handlers) > 0 {
			b.raiseFrom = exitSet{}
		}
	} else {
		an.blocks = an.blocks[:len(an.blocks)-1]
	}
	handlerExits := exitSet{}
	lastHandler := 0
	for _, h := range s.Handlers {
		hs := an.fl(h.Line)
		if lastHandler != 0 {
			an.addArc(lastHandler, hs)
		}
		lastHandler = hs
		handlerExits.union(an.processBody(h.Body, oneC(hs, causeNoException)))
	}
	if len(s.Orelse) > 0 {
		exits = an.processBody(s.Orelse, exits)
	}
	exits.union(handlerExits)
	if len(s.Finally) > 0 {
		an.blocks = an.blocks[:len(an.blocks)-1]
		from := exitSet{}
		from.union(exits).union(b.breakFrom).union(b.continueFrom).union(b.raiseFrom).union(b.returnFrom)
		finalExits := an.processBody(s.Finally, from)
		jumpsBack := !an.ver.AtLeast(3, 10)
		route := func(from exitSet, process func(exitSet)) {
			if len(from) == 0 {
				return
			}
			if jumpsBack {
				for _, l := range from.sorted() {
					for _, x := range finalExits.sorted() {
						an.addFrag(x.line, l.line, strings.ReplaceAll(l.cause, "{lineno}", itoa(l.line)))
					}
				}
				process(from)
				return
			}
			process(copySet(finalExits))
		}
		route(b.breakFrom, an.processBreak)
		route(b.continueFrom, an.processContinue)
		if len(b.raiseFrom) > 0 {
			an.processRaise(copySet(finalExits))
		}
		route(b.returnFrom, an.processReturn)
		if len(exits) > 0 {
			exits = finalExits
		}
	}
	return exits
}

func isTryStar(s *pysource.Stmt) bool {
	if len(s.Handlers) == 0 {
		return false
	}
	h := codeToks(s.Handlers[0].Header)
	return len(h) > 1 && isOp(h[1], "*")
}

func copySet(e exitSet) exitSet { return exitSet{}.union(e) }

func (an *analyzer) tryNew(s *pysource.Stmt) exitSet {
	handlerStart := 0
	if len(s.Handlers) > 0 {
		handlerStart = an.fl(s.Handlers[0].Line)
	}
	b := &block{kind: tryBlock, handlerStart: handlerStart}
	if len(s.Finally) > 0 {
		b.finalStart = an.lineFor(s.Finally[0])
	}
	an.blocks = append(an.blocks, b)
	start := an.lineFor(s)
	exits := an.processBody(s.Body, one(start))
	if len(s.Finally) > 0 {
		b.handlerStart = 0
	} else {
		an.blocks = an.blocks[:len(an.blocks)-1]
	}
	handlerExits := exitSet{}
	for _, h := range s.Handlers {
		hs := an.fl(h.Line)
		handlerExits.union(an.processBody(h.Body, oneC(hs, causeNoException)))
	}
	if len(s.Orelse) > 0 {
		exits = an.processBody(s.Orelse, exits)
	}
	exits.union(handlerExits)
	if len(s.Finally) > 0 {
		an.blocks = an.blocks[:len(an.blocks)-1]
		finalExits := an.processBody(s.Finally, copySet(exits))
		if len(exits) > 0 {
			exits = finalExits
		}
	}
	return exits
}

func (an *analyzer) withOld(s *pysource.Stmt) exitSet {
	start := an.lineFor(s)
	through := an.ver.AtLeast(3, 10)
	var b *block
	if through {
		b = &block{kind: withBlock, start: start, breakFrom: exitSet{}, continueFrom: exitSet{}, returnFrom: exitSet{}}
		an.blocks = append(an.blocks, b)
	}
	exits := an.processBody(s.Body, one(start))
	if !through {
		return exits
	}
	an.blocks = an.blocks[:len(an.blocks)-1]
	if len(exits) > 0 {
		for _, x := range exits.sorted() {
			an.addArc(x.line, start)
		}
		exits = one(start)
	}
	if len(b.breakFrom) > 0 {
		an.processBreak(one(start))
	}
	if len(b.continueFrom) > 0 {
		an.processContinue(one(start))
	}
	if len(b.returnFrom) > 0 {
		an.processReturn(one(start))
	}
	return exits
}

func (an *analyzer) withNew(s *pysource.Stmt) exitSet {
	start := an.lineFor(s)
	an.curWith[start] = true
	an.allWith[start] = true
	exits := an.processBody(s.Body, one(start))
	delete(an.curWith, start)
	if len(exits) > 0 {
		for _, x := range exits.sorted() {
			an.addArc(x.line, start)
			an.withExit[[2]int{x.line, start}] = true
		}
		exits = one(start)
	}
	return exits
}

// withJumpFixers is AstArcAnalyzer.with_jump_fixers.
func (an *analyzer) withJumpFixers() map[[2]int][2][2]int {
	fixers := map[[2]int][2][2]int{}
	nexts := map[int][]int{}
	for arc := range an.arcs {
		if an.allWith[arc[0]] && !an.withEntry[arc] {
			nexts[arc[0]] = append(nexts[arc[0]], arc[1])
		}
	}
	for start := range an.allWith {
		ns := nexts[start]
		if len(ns) == 0 {
			continue
		}
		// coverage.py asserts there is exactly one.
		sort.Ints(ns)
		nxt := ns[0]
		for arc := range an.withExit {
			if arc[1] == start {
				end := arc[0]
				fixers[[2]int{end, start}] = [2][2]int{{start, nxt}, {end, nxt}}
			}
		}
	}
	return fixers
}

// pyRepr quotes a Python identifier as repr() does.
func pyRepr(s string) string { return "'" + s + "'" }
