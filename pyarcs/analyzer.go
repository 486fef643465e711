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
	// try and with (coverage.py < 7.7): the exits of each jump routed
	// through finally or the with's exit; nil: the block does not route it
	from [jumpKinds]exitSet
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
	an.process(jumpReturn, exits)
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

// jump is a statement that leaves its block early.
type jump uint8

const (
	jumpBreak jump = iota
	jumpContinue
	jumpRaise
	jumpReturn
	jumpKinds
)

// jumpOf is the jump a jumping statement makes, and the cause of its arcs.
func jumpOf(k pysource.StmtKind) (jump, string) {
	switch k {
	case pysource.SBreak:
		return jumpBreak, causeBreak
	case pysource.SContinue:
		return jumpContinue, causeContinue
	case pysource.SRaise:
		return jumpRaise, causeRaise
	}
	return jumpReturn, causeReturn
}

// process is coverage.py's process_{break,continue,raise,return}_exits: the
// exits go to the nearest enclosing block that takes the jump.
func (an *analyzer) process(j jump, exits exitSet) {
	for i := len(an.blocks) - 1; i >= 0; i-- {
		if an.take(an.blocks[i], j, exits) {
			return
		}
	}
}

// take is one block's part in a jump; false passes the jump outwards.
func (an *analyzer) take(b *block, j jump, exits exitSet) bool {
	switch b.kind {
	case loopBlock:
		return an.takeInLoop(b, j, exits)
	case functionBlock:
		return an.takeInFunction(b, j, exits)
	case tryBlock:
		return an.takeInTry(b, j, exits)
	case withBlock:
		an.fragsTo(exits, b.start)
		if b.from[j] != nil {
			b.from[j].union(exits)
		}
		return true
	}
	return false
}

func (an *analyzer) takeInLoop(b *block, j jump, exits exitSet) bool {
	switch j {
	case jumpBreak:
		b.breakExits.union(exits)
	case jumpContinue:
		an.fragsTo(exits, b.start)
	default:
		return false
	}
	return true
}

func (an *analyzer) takeInFunction(b *block, j jump, exits exitSet) bool {
	var what string
	switch j {
	case jumpRaise:
		what = "except from function "
	case jumpReturn:
		what = "return from function "
	default:
		return false
	}
	for _, x := range exits.sorted() {
		an.addAction(x.line, -b.start, x.cause, what+pyRepr(b.name))
	}
	return true
}

func (an *analyzer) takeInTry(b *block, j jump, exits exitSet) bool {
	switch {
	case j == jumpRaise && b.handlerStart != 0:
		an.fragsTo(exits, b.handlerStart)
	case an.newModel:
		// coverage.py 7.7+ draws no arcs through finally: only a raise
		// stops here.
		return j == jumpRaise
	case j == jumpRaise || b.finalStart != 0:
		b.from[j].union(exits)
	default:
		return false
	}
	return true
}

// fragsTo adds an arc fragment from every exit to line.
func (an *analyzer) fragsTo(exits exitSet, line int) {
	for _, x := range exits.sorted() {
		an.addFrag(x.line, line, x.cause)
	}
}

// nodeExits is node_exits: the statement's arcs, and its exits.
func (an *analyzer) nodeExits(s *pysource.Stmt) exitSet {
	switch s.Kind {
	case kindNodeList:
		return an.processBody(s.Body, one(an.lineFor(s)))
	case pysource.SBreak, pysource.SContinue, pysource.SRaise, pysource.SReturn:
		j, cause := jumpOf(s.Kind)
		an.process(j, oneC(an.lineFor(s), cause))
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
		if !an.newModel && isTryStar(s) {
			// coverage.py < 7.7 has no handler for except*: a simple
			// statement to it.
			return one(an.lineFor(s))
		}
		return an.try(s)
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

// try is process_try: before coverage.py 7.7 the jumps out of the try route
// through finally, and each handler arcs to the next.
func (an *analyzer) try(s *pysource.Stmt) exitSet {
	b := &block{kind: tryBlock}
	if len(s.Handlers) > 0 {
		b.handlerStart = an.fl(s.Handlers[0].Line)
	}
	if len(s.Finally) > 0 {
		b.finalStart = an.lineFor(s.Finally[0])
	}
	if !an.newModel {
		b.from = routed(jumpBreak, jumpContinue, jumpRaise, jumpReturn)
	}
	an.blocks = append(an.blocks, b)
	exits := an.processBody(s.Body, one(an.lineFor(s)))
	if len(s.Finally) > 0 {
		b.handlerStart = 0
		if len(s.Handlers) > 0 && !an.newModel {
			b.from[jumpRaise] = exitSet{}
		}
	} else {
		an.blocks = an.blocks[:len(an.blocks)-1]
	}
	handlerExits := an.handlers(s)
	if len(s.Orelse) > 0 {
		exits = an.processBody(s.Orelse, exits)
	}
	exits.union(handlerExits)
	if len(s.Finally) > 0 {
		an.blocks = an.blocks[:len(an.blocks)-1]
		exits = an.finally(s, b, exits)
	}
	return exits
}

// handlers processes the except clauses.
func (an *analyzer) handlers(s *pysource.Stmt) exitSet {
	handlerExits := exitSet{}
	lastHandler := 0
	for _, h := range s.Handlers {
		hs := an.fl(h.Line)
		if lastHandler != 0 && !an.newModel {
			an.addArc(lastHandler, hs)
		}
		lastHandler = hs
		handlerExits.union(an.processBody(h.Body, oneC(hs, causeNoException)))
	}
	return handlerExits
}

// finally processes the finally clause, entered from the try's exits and
// from every jump routed through it.
func (an *analyzer) finally(s *pysource.Stmt, b *block, exits exitSet) exitSet {
	from := copySet(exits)
	for _, f := range b.from {
		from.union(f)
	}
	finalExits := an.processBody(s.Finally, from)
	for j, jumped := range b.from {
		if len(jumped) > 0 {
			an.leaveFinally(jump(j), jumped, finalExits)
		}
	}
	if len(exits) > 0 {
		return finalExits
	}
	return exits
}

// routed makes a block's sets for the jumps it routes.
func routed(kinds ...jump) (from [jumpKinds]exitSet) {
	for _, j := range kinds {
		from[j] = exitSet{}
	}
	return from
}

// leaveFinally carries a jump on from the end of a finally clause (coverage.py
// < 7.7). Before 3.10 the finally's exits jumped back to the jumping line.
func (an *analyzer) leaveFinally(j jump, from, finalExits exitSet) {
	if j == jumpRaise || an.ver.AtLeast(3, 10) {
		an.process(j, copySet(finalExits))
		return
	}
	for _, l := range from.sorted() {
		for _, x := range finalExits.sorted() {
			an.addFrag(x.line, l.line, strings.ReplaceAll(l.cause, "{lineno}", itoa(l.line)))
		}
	}
	an.process(j, from)
}

func isTryStar(s *pysource.Stmt) bool {
	if len(s.Handlers) == 0 {
		return false
	}
	h := codeToks(s.Handlers[0].Header)
	return len(h) > 1 && isOp(h[1], "*")
}

func copySet(e exitSet) exitSet { return exitSet{}.union(e) }

func (an *analyzer) withOld(s *pysource.Stmt) exitSet {
	start := an.lineFor(s)
	through := an.ver.AtLeast(3, 10)
	var b *block
	if through {
		b = &block{kind: withBlock, start: start, from: routed(jumpBreak, jumpContinue, jumpReturn)}
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
	for j, from := range b.from {
		if len(from) > 0 {
			an.process(jump(j), one(start))
		}
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
