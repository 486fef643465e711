// Package pysource owns covkit's static analysis of Python source: a
// tokenizer and statement parser faithful to CPython 3.9-3.14, a model of
// which lines CPython's compiler gives line numbers to, coverage.py's
// exclusion rules, and code regions (functions and classes). Analyze gives,
// for one file, exactly what coverage.py's PythonParser reports: statements,
// excluded lines and the multi-line statement map.
//
// The result depends on two versions: the CPython that would compile the
// file (Options.Version) and the coverage.py whose parser is emulated
// (Options.Coverage); see CONFORMANCE.md for how closely each is matched.
//
// The statement tree (Module, Stmt) is exported for later analyses such as
// branch arcs.
package pysource

import (
	"errors"
	"fmt"
	"strings"

	"github.com/covkit/covkit/releases"
)

// Options says how to analyze a file.
type Options struct {
	// Version is the target CPython; zero means DefaultVersion (3.14).
	Version Version
	// Coverage is the coverage.py version whose parser is emulated; zero
	// means DefaultCoverage (7.16). It selects the default exclusion list and
	// the small rule differences between coverage.py releases.
	Coverage Version
	// Exclude is the list of exclusion regexes (Python re syntax), i.e.
	// coverage.py's exclude_lines with exclude_also appended. nil means
	// the default list of the Coverage release (releases.CoverageRules); an
	// empty non-nil slice excludes nothing.
	Exclude []string
	// PartialBranches is the list of partial-branch regexes
	// (partial_branches with partial_also appended); nil means the
	// release's default.
	PartialBranches []string
	// PartialAlways is [report] partial_branches_always; nil means the
	// release's default. It is added to PartialBranches as coverage.py does.
	PartialAlways []string
}

// Region is a function or class, as coverage.py 7.x code_regions() gives it.
type Region struct {
	Kind  string // "function" or "class"
	Name  string // dotted for nested ones: "Class.method"
	Start int    // line of the def or class keyword
	Lines []int  // sorted
}

// Analysis is what coverage.py knows about one source file.
type Analysis struct {
	// Statements are the executable lines (PythonParser.statements), sorted.
	Statements []int
	// Excluded are the excluded lines (PythonParser.excluded), sorted.
	Excluded []int
	// Regions are the functions and classes, in source order.
	Regions []Region
	// NoBranch are the lines matching the partial-branch regexes (coverage.py
	// FileReporter.no_branch_lines), sorted.
	NoBranch []int
	// Raw are the lines the compiled code has line numbers for (coverage.py's
	// raw_statements, see CodeLines), sorted; empty for a file without code.
	Raw []int
	// firstOf maps every line of a multi-line statement to its first line
	// (0 for lines that are their own first line); see FirstLine.
	firstOf []int32
	// Module is the statement tree.
	Module *Module
	// Text is the decoded source that was analyzed.
	Text string
}

// FirstLine returns the first line of the statement containing line
// (PythonParser.first_line).
func (a *Analysis) FirstLine(line int) int {
	if line < 0 {
		return -a.FirstLine(-line)
	}
	if line < len(a.firstOf) && a.firstOf[line] != 0 {
		return int(a.firstOf[line])
	}
	return line
}

// NotPythonError is returned when coverage.py would refuse the file with
// "Couldn't parse ... as Python source".
type NotPythonError struct {
	Filename string
	// Msg is the quoted message as coverage.py prints it, e.g. 'invalid syntax'.
	Msg  string
	Line int
}

func (e *NotPythonError) Error() string {
	line := fmt.Sprint(e.Line)
	if e.Line <= 0 {
		line = "None"
	}
	return fmt.Sprintf("Couldn't parse '%s' as Python source: %s at line %s", e.Filename, e.Msg, line)
}

// JoinRegex combines regexes as coverage.py's join_regex does.
func JoinRegex(regexes []string, cov Version) string {
	if len(regexes) == 1 && (cov.IsZero() || cov.AtLeast(7, 0)) {
		return regexes[0]
	}
	parts := make([]string, len(regexes))
	for i, r := range regexes {
		parts[i] = "(?:" + r + ")"
	}
	return strings.Join(parts, "|")
}

// Analyze analyzes one Python source file given as the bytes on disk.
// filename is only used in error messages. A *NotPythonError means
// coverage.py would not parse the file either.
func Analyze(filename string, src []byte, opts Options) (*Analysis, error) {
	text, err := DecodeSource(src)
	if err != nil {
		return nil, err
	}
	return AnalyzeText(filename, text, opts)
}

// AnalyzeText is Analyze for text already decoded with Decode.
func AnalyzeText(filename, text string, opts Options) (*Analysis, error) {
	ver := releases.ClampPython(opts.Version)
	cov := opts.Coverage
	if cov.IsZero() {
		cov = DefaultCoverage
	}
	rules := releases.CoverageRules(cov)
	exclude := opts.Exclude
	if exclude == nil {
		exclude = rules.Exclude
	}
	partial := opts.PartialBranches
	if partial == nil {
		partial = rules.Partial
	}
	always := opts.PartialAlways
	if always == nil {
		always = rules.PartialAlways
	}
	partial = append(append([]string{}, partial...), always...)

	if strings.IndexByte(text, 0) >= 0 {
		if !cov.AtLeast(7, 0) {
			return nil, errors.New("source code string cannot contain null bytes")
		}
		return nil, &NotPythonError{Filename: filename, Msg: "'source code string cannot contain null bytes'"}
	}
	mod, toks, err := Parse(text, ver)
	if err == nil {
		err = validate(mod, ver)
	}
	if err != nil {
		return nil, notPython(filename, err, cov, ver, text)
	}
	a := &Analysis{Module: mod, Text: text}
	a.firstOf = multilineMap(toks)

	lm := newLineMatcher(text)
	if cov.AtLeast(7, 0) {
		err = a.coverage7(lm, toks, exclude, cov, ver)
	} else {
		err = a.coverage6(lm, toks, exclude, ver)
	}
	if err != nil {
		return nil, err
	}
	// FileReporter.no_branch_lines runs after parsing: 7.x maps the lines
	// through the finished multi-line map; 6.x searches line by line.
	var nb lineSet
	if cov.AtLeast(7, 0) {
		nb, err = lm.matching(partial, cov, a.firstOf)
	} else {
		nb, err = lm.perLine(partial)
	}
	if err != nil {
		return nil, err
	}
	a.NoBranch = nb.sorted()
	a.Regions = codeRegions(mod)
	return a, nil
}

// multilineMap follows coverage.py's multiline_map_from_tokens: it maps
// each line of a multi-line statement to the statement's first line (0:
// not mapped).
func multilineMap(toks []Token) []int32 {
	var m []int32
	first := 0
	for i := range toks {
		t := &toks[i]
		if t.Type == NEWLINE {
			if first != 0 && t.EndLine != first {
				if m == nil {
					m = make([]int32, toks[len(toks)-1].Line+2)
				}
				for l := first; l <= t.EndLine; l++ {
					m[l] = int32(first)
				}
			}
			first = 0
		}
		if first == 0 && t.Type != COMMENT && !blank(t.Text) {
			first = t.Line
		}
	}
	return m
}

// blank is strings.TrimSpace(s) == "" for token texts.
func blank(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\v', '\f', '\r':
		default:
			if s[i] < 0x80 {
				return false
			}
			return strings.TrimSpace(s[i:]) == ""
		}
	}
	return true
}

// setFirstLine maps line to first (coverage.py < 7.7 maps line 1 so).
func (a *Analysis) setFirstLine(line, first int) {
	for len(a.firstOf) <= line {
		a.firstOf = append(a.firstOf, 0)
	}
	a.firstOf[line] = int32(first)
}

func (a *Analysis) firstLines(lines lineSet) lineSet {
	out := make(lineSet, 0, len(lines))
	for l, ok := range lines {
		if ok {
			out.add(a.FirstLine(l))
		}
	}
	return out
}

// coverage7 is coverage.py 7.x's PythonParser._raw_parse and parse_source.
func (a *Analysis) coverage7(lm *lineMatcher, toks []Token, exclude []string, cov, ver Version) error {
	var excluded lineSet
	if len(exclude) > 0 {
		var ml []int32
		if cov.AtLeast(7, 7) {
			// From 7.7 on the multi-line map exists before matching.
			ml = a.firstOf
		}
		m, err := lm.matching(exclude, cov, ml)
		if err != nil {
			return err
		}
		excluded = m
	}
	empty := blockExclusion(toks, &excluded)

	var raw lineSet
	if !empty {
		raw = codeLines(a.Module, ver, cov.AtLeast(7, 10))
	}
	if !cov.AtLeast(7, 7) && ver.AtLeast(3, 10) && a.firstOf != nil && !raw.empty() {
		// coverage.py < 7.7 maps line 1 to the first statement
		// (env.PYBEHAVIOR.module_firstline_1).
		a.setFirstLine(1, raw.min())
	}
	excluded = a.firstLines(excluded)

	var docstrings lineSet
	walkStatements(a.Module.Body, func(body []*Stmt, owner *Stmt) {
		if len(body) > 0 && isDocstring(body[0]) {
			for l := body[0].Line; l <= body[0].EndLine; l++ {
				docstrings.add(l)
			}
		}
	}, func(s *Stmt) {
		if s.Kind == SFunctionDef || s.Kind == SClassDef {
			first := s.Line
			for _, d := range s.Decorators {
				if d < first {
					first = d
				}
			}
			if excluded.hasAny(first, s.Line) {
				for l := first; l <= s.EndLine; l++ {
					excluded.add(l)
				}
			}
		}
		if s.Kind == SMatch && cov.AtLeast(7, 13) {
			for _, c := range s.Cases {
				if !c.Irrefutable || len(c.Body) == 0 {
					continue
				}
				any, all := false, true
				for l := c.Body[0].Line; l <= c.Body[len(c.Body)-1].EndLine; l++ {
					if raw.has(l) {
						any = true
						if !excluded.has(l) {
							all = false
						}
					}
				}
				if any && all {
					for l := c.Line; l <= casePatternEnd(c); l++ {
						excluded.add(l)
					}
				}
			}
		}
	})
	a.finish(raw, excluded, docstrings)
	return nil
}

// casePatternEnd is the last line of a case's pattern.
func casePatternEnd(c *Case) int {
	end := c.Line
	for _, t := range c.Header {
		if t.Type == NAME && t.Text == "if" {
			break
		}
		end = t.EndLine
	}
	return end
}

func (a *Analysis) finish(raw, excluded, docstrings lineSet) {
	ignore := func(l int) bool { return excluded.has(l) || docstrings.has(l) }
	stmts := make(lineSet, 0, len(raw))
	for l, ok := range raw {
		if !ok || ignore(l) {
			continue
		}
		f := a.FirstLine(l)
		if !ignore(f) {
			stmts.add(f)
		}
	}
	a.Statements = stmts.sorted()
	a.Excluded = excluded.sorted()
	a.Raw = raw.sorted()
}

// coverage6 is coverage.py 6.5's PythonParser._raw_parse and parse_source.
func (a *Analysis) coverage6(lm *lineMatcher, toks []Token, exclude []string, ver Version) error {
	var excluded lineSet
	if len(exclude) > 0 {
		m, err := lm.perLine(exclude)
		if err != nil {
			return err
		}
		excluded = m
	}
	var docstrings lineSet
	excludingDecorators := false
	// The token before a docstring is INDENT, or none at the start of the
	// file; toks has no comments or NL tokens, which would come between.
	prev := INDENT
	if a.Module.leadingTrivia {
		prev = NL
	}
	sc := suiteScan{empty: true}
	for _, t := range toks {
		sc.track(t)
		switch {
		case t.Type == STRING && prev == INDENT:
			for l := t.Line; l <= t.EndLine; l++ {
				docstrings.add(l)
			}
		case sc.opensSuite(t):
			if excluded.has(t.EndLine) || excludingDecorators {
				sc.exclude(t, &excluded)
				excludingDecorators = false
			}
		case t.Type == OP && t.Text == "@" && sc.first == 0:
			if excluded.has(t.EndLine) {
				excludingDecorators = true
			}
			if excludingDecorators {
				excluded.add(t.EndLine)
			}
		}
		sc.code(t, &excluded)
		if t.Type != ENDMARKER {
			prev = t.Type
		}
	}
	empty := sc.empty
	var raw lineSet
	if !empty {
		raw = codeLines(a.Module, ver, false)
	}
	if ver.AtLeast(3, 10) && a.firstOf != nil && !raw.empty() {
		a.setFirstLine(1, raw.min())
	}
	a.finish(raw, a.firstLines(excluded), docstrings)
	return nil
}

// blockExclusion is the token pass of coverage.py 7.x's _raw_parse: an
// excluded line ending in ':' excludes the suite it opens. It reports
// whether the file has no code tokens at all.
func blockExclusion(toks []Token, excluded *lineSet) (empty bool) {
	sc := suiteScan{empty: true}
	for _, t := range toks {
		sc.track(t)
		if sc.opensSuite(t) && excluded.hasAny(sc.first, t.EndLine) {
			sc.exclude(t, excluded)
		}
		sc.code(t, excluded)
	}
	return sc.empty
}

// suiteScan is the state of the token pass both coverage.py 6.5 and 7.x
// make in _raw_parse to exclude the suite an excluded ':' line opens.
type suiteScan struct {
	indent, excludeIndent int
	nesting               int  // bracket depth
	first                 int  // line of the logical line's first code token, 0 before it
	excluding             bool // inside an excluded suite
	empty                 bool // no code token yet
}

// track follows the indent, the bracket depth and the logical lines.
func (sc *suiteScan) track(t Token) {
	switch t.Type {
	case INDENT:
		sc.indent++
	case DEDENT:
		sc.indent--
	case NEWLINE:
		sc.first = 0
	case OP:
		sc.nesting += t.Nesting()
	}
}

// opensSuite reports whether t is a ':' that may open a suite to exclude:
// outside brackets, and not already inside an excluded one.
func (sc *suiteScan) opensSuite(t Token) bool {
	return t.Type == OP && t.Text == ":" && sc.nesting == 0 && !sc.excluding
}

// exclude excludes the line of the ':' t and starts excluding its suite.
func (sc *suiteScan) exclude(t Token, excluded *lineSet) {
	excluded.add(t.EndLine)
	sc.excludeIndent = sc.indent
	sc.excluding = true
}

// code notes a code token: the first of a logical line ends the excluded
// suite once the indent is back at the excluded header's, or else is
// excluded too.
func (sc *suiteScan) code(t Token, excluded *lineSet) {
	if t.Type == COMMENT || strings.TrimSpace(t.Text) == "" {
		return
	}
	sc.empty = false
	if sc.first != 0 {
		return
	}
	sc.first = t.Line
	if sc.excluding && sc.indent <= sc.excludeIndent {
		sc.excluding = false
	}
	if sc.excluding {
		excluded.add(t.EndLine)
	}
}

// walkStatements visits every body (with its owner, nil for the module) and
// every statement, in any order.
func walkStatements(body []*Stmt, onBody func([]*Stmt, *Stmt), onStmt func(*Stmt)) {
	onBody(body, nil)
	var visit func(ss []*Stmt)
	visit = func(ss []*Stmt) {
		for _, s := range ss {
			onStmt(s)
			if s.Kind == SFunctionDef || s.Kind == SClassDef {
				onBody(s.Body, s)
			}
			visit(s.Body)
			visit(s.Orelse)
			for _, h := range s.Handlers {
				visit(h.Body)
			}
			visit(s.Finally)
			for _, c := range s.Cases {
				visit(c.Body)
			}
		}
	}
	visit(body)
}

// codeRegions follows coverage.py 7.x's regions.code_regions: only the
// 'body' of a node is searched (not else, except, finally or case bodies).
func codeRegions(m *Module) []Region {
	// coverage.py's sets, as line owners: a function has its body's lines
	// less those of functions nested in it, so each line belongs to the
	// innermost function around it; a class has the lines of the methods
	// directly in it less those of classes nested in it, so each such line
	// belongs to the innermost class with a method around it. Visiting in
	// source order, inner ones overwrite outer ones.
	var regions []Region
	var funcOf, classOf []int32
	own := func(owner *[]int32, first, last, r int) {
		for len(*owner) <= last {
			*owner = append(*owner, -1)
		}
		for l := first; l <= last; l++ {
			(*owner)[l] = int32(r)
		}
	}
	type ctx struct {
		kind string
		reg  int
	}
	var stack []ctx
	var names []string
	var handle func(s *Stmt)
	handleBody := func(ss []*Stmt) {
		for _, s := range ss {
			handle(s)
		}
	}
	handle = func(s *Stmt) {
		switch s.Kind {
		case SFunctionDef, SClassDef:
			kind := "function"
			if s.Kind == SClassDef {
				kind = "class"
			}
			r := len(regions)
			names = append(names, s.Name)
			regions = append(regions, Region{Kind: kind, Name: strings.Join(names, "."), Start: s.Line, Lines: []int{}})
			if kind == "function" {
				first, last := s.Body[0].Line, s.Body[len(s.Body)-1].EndLine
				own(&funcOf, first, last, r)
				if n := len(stack); n > 0 && stack[n-1].kind == "class" {
					own(&classOf, first, last, stack[n-1].reg)
				}
			}
			stack = append(stack, ctx{kind, r})
			handleBody(s.Body)
			stack = stack[:len(stack)-1]
			names = names[:len(names)-1]
		default:
			handleBody(s.Body)
		}
	}
	handleBody(m.Body)
	for _, owner := range [][]int32{funcOf, classOf} {
		for l, r := range owner {
			if r >= 0 {
				regions[r].Lines = append(regions[r].Lines, l)
			}
		}
	}
	return regions
}
