// Package pyarcs owns covkit's branch (arc) analysis of Python source: the
// possible arcs of a file and their exit counts, as coverage.py's
// PythonParser.arcs() and exit_counts() give them, built on pysource's
// statement tree, and the branch facts a report needs
// (BranchFacts) once executed arcs are known.
//
// coverage.py's arc analysis changed a lot during 7.x. Two models are
// reimplemented here: the one of coverage.py 6.5 up to 7.6 (code objects for
// lambdas and comprehensions, entry arcs from negative line numbers, exits
// routed through finally clauses and with statements), and the one of
// 7.7 and later, checked against 7.16 (only arcs that can be branches, with
// statements exiting through their context manager). The target CPython
// version matters too (constant tests, comprehensions as functions,
// decorators traced twice). Arc descriptions (Result.Description,
// Result.MissingArcDescription) follow coverage.py 7.16.
//
// CONFORMANCE.md says how closely coverage.py is matched and how that is
// measured.
package pyarcs

import (
	"sort"
	"strings"

	"github.com/covkit/covkit/pysource"
)

// Options says which Python and which coverage.py are emulated.
type Options struct {
	// Version is the CPython that compiles the file; zero means
	// pysource.DefaultVersion.
	Version pysource.Version
	// Coverage is the coverage.py whose arc analysis is emulated; zero
	// means pysource.DefaultCoverage.
	Coverage pysource.Version
}

func (o Options) norm() Options {
	if o.Version.IsZero() {
		o.Version = pysource.DefaultVersion
	}
	if o.Coverage.IsZero() {
		o.Coverage = pysource.DefaultCoverage
	}
	return o
}

// newModel reports whether coverage.py cov uses the 7.7+ arc analysis.
func newModel(cov pysource.Version) bool { return cov.AtLeast(7, 7) }

// Result is the arc analysis of one file.
type Result struct {
	// Arcs are the possible arcs (PythonParser.arcs()), first-line mapped,
	// without self-arcs, sorted. Negative numbers are code object exits
	// (and, before coverage.py 7.7, entries).
	Arcs [][2]int
	// ExitCounts is PythonParser.exit_counts(): the number of exits of
	// each line that starts an arc, excluded lines left out.
	ExitCounts map[int]int

	firstLine func(int) int
	fixers    map[[2]int][2][2]int
	frags     map[[2]int][]fragment
}

// Arcs analyzes the file a (from pysource.Analyze, with the same target
// versions) and returns its possible arcs.
func Arcs(a *pysource.Analysis, opts Options) *Result {
	opts = opts.norm()
	cov := opts.Coverage
	// The analysis already holds the raw statements (CodeLines).
	st := make(map[int]bool, len(a.Raw))
	for _, l := range a.Raw {
		st[a.FirstLine(l)] = true
	}
	an := &analyzer{
		ver:        opts.Version,
		cov:        cov,
		newModel:   newModel(cov),
		fl:         a.FirstLine,
		statements: st,
		arcs:       map[[2]int]bool{},
		frags:      map[[2]int][]fragment{},
		curWith:    map[int]bool{},
		allWith:    map[int]bool{},
		withEntry:  map[[2]int]bool{},
		withExit:   map[[2]int]bool{},
		synthTrue:  map[*pysource.Stmt]bool{},
	}
	var mod []*pysource.Stmt
	if a.Module != nil {
		mod = a.Module.Body
	}
	an.analyze(mod)
	if !an.newModel {
		an.expressionCodeObjects(a)
	}
	rawArcs := an.arcs
	r := &Result{firstLine: a.FirstLine}
	if an.newModel {
		r.fixers = an.withJumpFixers()
		if len(r.fixers) > 0 {
			rawArcs = r.fixWithJumps(rawArcs)
		}
	}
	all := map[[2]int]bool{}
	for arc := range rawArcs {
		f1, f2 := a.FirstLine(arc[0]), a.FirstLine(arc[1])
		if f1 != f2 {
			all[[2]int{f1, f2}] = true
		}
	}
	r.Arcs = sortedArcs(all)
	r.frags = an.frags

	excluded := make(map[int]bool, len(a.Excluded))
	for _, l := range a.Excluded {
		excluded[l] = true
	}
	r.ExitCounts = map[int]int{}
	for _, arc := range r.Arcs {
		if arc[0] < 0 || excluded[arc[0]] || excluded[arc[1]] {
			continue
		}
		r.ExitCounts[arc[0]]++
	}
	if !an.newModel {
		// Class statements look like branches to coverage.py < 7.7 (the
		// entry into the body); it takes one exit off each class line.
		walkStmts(mod, func(s *pysource.Stmt) {
			if s.Kind == pysource.SClassDef {
				if _, ok := r.ExitCounts[s.Line]; ok {
					r.ExitCounts[s.Line]--
				}
			}
		})
	}
	return r
}

func sortedArcs(set map[[2]int]bool) [][2]int {
	out := make([][2]int, 0, len(set))
	for a := range set {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i][0] != out[j][0] {
			return out[i][0] < out[j][0]
		}
		return out[i][1] < out[j][1]
	})
	return out
}

// walkStmts calls f on every statement of body, nested ones included.
func walkStmts(body []*pysource.Stmt, f func(*pysource.Stmt)) {
	for _, s := range body {
		f(s)
		walkStmts(s.Body, f)
		walkStmts(s.Orelse, f)
		walkStmts(s.Finally, f)
		for _, h := range s.Handlers {
			walkStmts(h.Body, f)
		}
		for _, c := range s.Cases {
			walkStmts(c.Body, f)
		}
	}
}

// fixWithJumps is PythonParser.fix_with_jumps: in 3.12.6+ (and as
// coverage.py 7.7+ models every version) leaving a with block goes back to
// the with line; the measured arc end->with becomes end->next, and
// with->next is dropped.
func (r *Result) fixWithJumps(arcs map[[2]int]bool) map[[2]int]bool {
	remove := map[[2]int]bool{}
	add := map[[2]int]bool{}
	for arc := range arcs {
		fx, ok := r.fixers[arc]
		if !ok {
			continue
		}
		remove[arc] = true
		startNext, endNext := fx[0], fx[1]
		for {
			nfx, ok := r.fixers[startNext]
			if !ok {
				break
			}
			remove[startNext] = true
			startNext, endNext = nfx[0], nfx[1]
			remove[endNext] = true
		}
		add[[2]int{arc[0], endNext[1]}] = true
		remove[startNext] = true
	}
	out := make(map[[2]int]bool, len(arcs)+len(add))
	for a := range arcs {
		out[a] = true
	}
	for a := range add {
		out[a] = true
	}
	for a := range remove {
		delete(out, a)
	}
	return out
}

// Translate is PythonParser.translate_arcs: measured arcs fixed for with
// statements and mapped to first lines. The result is sorted and has no
// duplicates (self-arcs are kept, as coverage.py keeps them).
func (r *Result) Translate(arcs [][2]int) [][2]int {
	set := make(map[[2]int]bool, len(arcs))
	for _, a := range arcs {
		set[a] = true
	}
	if len(r.fixers) > 0 {
		set = r.fixWithJumps(set)
	}
	out := make(map[[2]int]bool, len(set))
	for a := range set {
		out[[2]int{r.firstLine(a[0]), r.firstLine(a[1])}] = true
	}
	return sortedArcs(out)
}

// Description is PythonParser.arc_description (coverage.py 7.16): what
// taking the arc from->to does, as LCOV's BRDA records name it.
func (r *Result) Description(from, to int) string {
	action, has := "", false
	if fs := r.frags[[2]int{from, to}]; len(fs) > 0 {
		action, has = fs[0].action, fs[0].hasAction
	}
	return finishAction(action, has, to)
}

// MissingArcDescription is PythonParser.missing_arc_description
// (coverage.py 7.16): why the arc from->to may not have run, as the HTML
// report annotates partial branches, e.g. "line 3 didn't jump to line 5
// because the condition on line 3 was never true". With several causes
// they are joined with " or " (coverage.py's order depends on string
// hashing; pyarcs sorts them).
func (r *Result) MissingArcDescription(from, to int) string {
	fs := r.frags[[2]int{from, to}]
	if len(fs) == 0 {
		return "line " + itoa(from) + " didn't " + finishAction("", false, to)
	}
	msgs := make([]string, len(fs))
	for i, f := range fs {
		msgs[i] = "line " + itoa(from) + " didn't " + finishAction(f.action, f.hasAction, to) +
			" because " + strings.ReplaceAll(f.cause, "{lineno}", itoa(from))
	}
	return strings.Join(msgs, " or ")
}

func finishAction(action string, has bool, to int) string {
	if !has {
		if to < 0 {
			return "jump to the function exit"
		}
		action = "jump to line {lineno}"
	}
	return strings.ReplaceAll(action, "{lineno}", itoa(to))
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
