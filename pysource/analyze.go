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
	"sort"
	"strings"
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
	// coverage.py's default list (DefaultExclude); an empty non-nil slice
	// excludes nothing.
	Exclude []string
	// PartialBranches is the list of partial-branch regexes; nil means the
	// defaults (DefaultPartialBranches). The always-partial list
	// (DefaultPartialAlways) is added as coverage.py does.
	PartialBranches []string
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
	// Multiline maps every line of a multi-line statement to its first line.
	Multiline map[int]int
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
	if f, ok := a.Multiline[line]; ok {
		return f
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

// DefaultExclude returns coverage.py's default exclude_lines list for the
// given coverage.py version (zero means DefaultCoverage).
func DefaultExclude(cov Version) []string {
	if cov.IsZero() {
		cov = DefaultCoverage
	}
	list := []string{`#\s*(pragma|PRAGMA)[:\s]?\s*(no|NO)\s*(cover|COVER)`}
	// 7.10 added the stub and TYPE_CHECKING defaults (7.10.0 had the latter
	// as a partial branch by mistake, fixed in 7.10.1; covkit models .1).
	if cov.AtLeast(7, 10) {
		list = append(list,
			`^\s*(((async )?def .*?)?[\])]+(\s*->.*?)?:\s*)?\.\.\.\s*(#|$)`,
			`if (typing\.)?TYPE_CHECKING:`)
	}
	return list
}

// ExcludeList combines configuration the way coverage.py does: exclude_lines
// replaces the default list (nil means not set), exclude_also is appended.
func ExcludeList(excludeLines, excludeAlso []string, cov Version) []string {
	list := excludeLines
	if list == nil {
		list = DefaultExclude(cov)
	}
	return append(append([]string{}, list...), excludeAlso...)
}

// DefaultPartialBranches is coverage.py's default partial_branches list.
var DefaultPartialBranches = []string{`#\s*(pragma|PRAGMA)[:\s]?\s*(no|NO)\s*(branch|BRANCH)`}

// DefaultPartialAlways is coverage.py's partial_always list.
var DefaultPartialAlways = []string{`while (True|1|False|0):`, `if (True|1|False|0):`}

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
	return AnalyzeText(filename, Decode(src), opts)
}

// AnalyzeText is Analyze for text already decoded with Decode.
func AnalyzeText(filename, text string, opts Options) (*Analysis, error) {
	ver := opts.Version.clamp()
	cov := opts.Coverage
	if cov.IsZero() {
		cov = DefaultCoverage
	}
	exclude := opts.Exclude
	if exclude == nil {
		exclude = DefaultExclude(cov)
	}
	partial := opts.PartialBranches
	if partial == nil {
		partial = DefaultPartialBranches
	}
	partial = append(append([]string{}, partial...), DefaultPartialAlways...)

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
		return nil, notPython(filename, err, cov, ver)
	}
	a := &Analysis{Module: mod, Text: text}
	a.Multiline = multilineMap(toks)

	lm, err := newLineMatcher(text, cov)
	if err != nil {
		return nil, err
	}
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
	var nb map[int]bool
	if cov.AtLeast(7, 0) {
		nb, err = lm.matching(partial, cov, a.Multiline)
	} else {
		nb, err = lm.perLine(partial)
	}
	if err != nil {
		return nil, err
	}
	a.NoBranch = sortedSet(nb)
	a.Regions = codeRegions(mod)
	return a, nil
}

// multilineMap follows coverage.py's multiline_map_from_tokens.
func multilineMap(toks []Token) map[int]int {
	m := map[int]int{}
	first := 0
	for _, t := range toks {
		if t.Type == NEWLINE {
			if first != 0 && t.EndLine != first {
				for l := first; l <= t.EndLine; l++ {
					m[l] = first
				}
			}
			first = 0
		}
		if t.Type != COMMENT && strings.TrimSpace(t.Text) != "" && first == 0 {
			first = t.Line
		}
	}
	return m
}

func (a *Analysis) firstLines(lines map[int]bool) map[int]bool {
	out := make(map[int]bool, len(lines))
	for l := range lines {
		out[a.FirstLine(l)] = true
	}
	return out
}

// coverage7 is coverage.py 7.x's PythonParser._raw_parse and parse_source.
func (a *Analysis) coverage7(lm *lineMatcher, toks []Token, exclude []string, cov, ver Version) error {
	excluded := map[int]bool{}
	if len(exclude) > 0 {
		var ml map[int]int
		if cov.AtLeast(7, 7) {
			// From 7.7 on the multi-line map exists before matching.
			ml = a.Multiline
		}
		m, err := lm.matching(exclude, cov, ml)
		if err != nil {
			return err
		}
		excluded = m
	}
	empty := blockExclusion(toks, excluded)

	raw := map[int]bool{}
	if !empty {
		raw = CodeLines(a.Module, ver, cov.AtLeast(7, 10))
	}
	if !cov.AtLeast(7, 7) && ver.AtLeast(3, 10) && len(a.Multiline) > 0 && len(raw) > 0 {
		// coverage.py < 7.7 maps line 1 to the first statement
		// (env.PYBEHAVIOR.module_firstline_1).
		a.Multiline[1] = minKey(raw)
	}
	excluded = a.firstLines(excluded)

	docstrings := map[int]bool{}
	walkStatements(a.Module.Body, func(body []*Stmt, owner *Stmt) {
		if len(body) > 0 && isDocstring(body[0]) {
			for l := body[0].Line; l <= body[0].EndLine; l++ {
				docstrings[l] = true
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
			hit := false
			for l := first; l <= s.Line; l++ {
				if excluded[l] {
					hit = true
					break
				}
			}
			if hit {
				for l := first; l <= s.EndLine; l++ {
					excluded[l] = true
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
					if raw[l] {
						any = true
						if !excluded[l] {
							all = false
						}
					}
				}
				if any && all {
					for l := c.Line; l <= casePatternEnd(c); l++ {
						excluded[l] = true
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

func (a *Analysis) finish(raw, excluded, docstrings map[int]bool) {
	ignore := func(l int) bool { return excluded[l] || docstrings[l] }
	stmts := map[int]bool{}
	for l := range raw {
		if ignore(l) {
			continue
		}
		f := a.FirstLine(l)
		if !ignore(f) {
			stmts[f] = true
		}
	}
	a.Statements = sortedSet(stmts)
	a.Excluded = sortedSet(excluded)
	a.Raw = sortedSet(raw)
}

// coverage6 is coverage.py 6.5's PythonParser._raw_parse and parse_source.
func (a *Analysis) coverage6(lm *lineMatcher, toks []Token, exclude []string, ver Version) error {
	excluded := map[int]bool{}
	if len(exclude) > 0 {
		m, err := lm.perLine(exclude)
		if err != nil {
			return err
		}
		excluded = m
	}
	docstrings := map[int]bool{}
	indent, excludeIndent := 0, 0
	excluding, excludingDecorators := false, false
	// The token before a docstring is INDENT, or none at the start of the
	// file; toks has no comments or NL tokens, which would come between.
	prev := INDENT
	if a.Module.leadingTrivia {
		prev = NL
	}
	first := 0
	empty := true
	firstOnLine := true
	nesting := 0
	for _, t := range toks {
		switch t.Type {
		case INDENT:
			indent++
		case DEDENT:
			indent--
		case OP:
			switch {
			case t.Text == ":" && nesting == 0:
				should := excluded[t.EndLine] || excludingDecorators
				if !excluding && should {
					excluded[t.EndLine] = true
					excludeIndent = indent
					excluding = true
					excludingDecorators = false
				}
			case t.Text == "@" && firstOnLine:
				if excluded[t.EndLine] {
					excludingDecorators = true
				}
				if excludingDecorators {
					excluded[t.EndLine] = true
				}
			case strings.Contains("([{", t.Text):
				nesting++
			case strings.Contains(")]}", t.Text):
				nesting--
			}
		case STRING:
			if prev == INDENT {
				for l := t.Line; l <= t.EndLine; l++ {
					docstrings[l] = true
				}
			}
		case NEWLINE:
			first = 0
			firstOnLine = true
		}
		if t.Type != COMMENT && strings.TrimSpace(t.Text) != "" {
			empty = false
			if first == 0 {
				first = t.Line
				if excluding && indent <= excludeIndent {
					excluding = false
				}
				if excluding {
					excluded[t.EndLine] = true
				}
				firstOnLine = false
			}
		}
		if t.Type != ENDMARKER {
			prev = t.Type
		}
	}
	raw := map[int]bool{}
	if !empty {
		raw = CodeLines(a.Module, ver, false)
	}
	if ver.AtLeast(3, 10) && len(a.Multiline) > 0 && len(raw) > 0 {
		a.Multiline[1] = minKey(raw)
	}
	a.finish(raw, a.firstLines(excluded), docstrings)
	return nil
}

// blockExclusion is the token pass of coverage.py 7.x's _raw_parse: an
// excluded line ending in ':' excludes the suite it opens. It reports
// whether the file has no code tokens at all.
func blockExclusion(toks []Token, excluded map[int]bool) (empty bool) {
	indent, excludeIndent := 0, 0
	excluding := false
	first := 0
	empty = true
	nesting := 0
	for _, t := range toks {
		switch t.Type {
		case INDENT:
			indent++
		case DEDENT:
			indent--
		case OP:
			switch {
			case t.Text == ":" && nesting == 0:
				if !excluding {
					hit := false
					for l := first; l <= t.EndLine; l++ {
						if excluded[l] {
							hit = true
							break
						}
					}
					if hit {
						excluded[t.EndLine] = true
						excludeIndent = indent
						excluding = true
					}
				}
			case strings.Contains("([{", t.Text):
				nesting++
			case strings.Contains(")]}", t.Text):
				nesting--
			}
		case NEWLINE:
			first = 0
		}
		if t.Type != COMMENT && strings.TrimSpace(t.Text) != "" {
			empty = false
			if first == 0 {
				first = t.Line
				if excluding && indent <= excludeIndent {
					excluding = false
				}
				if excluding {
					excluded[t.EndLine] = true
				}
			}
		}
	}
	return empty
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
	type ctx struct {
		kind  string
		name  string
		lines map[int]bool
		reg   int
	}
	var regions []Region
	var sets []map[int]bool
	var stack []*ctx
	var handle func(s *Stmt)
	handleBody := func(ss []*Stmt) {
		for _, s := range ss {
			handle(s)
		}
	}
	fq := func() string {
		names := make([]string, len(stack))
		for i, c := range stack {
			names[i] = c.name
		}
		return strings.Join(names, ".")
	}
	handle = func(s *Stmt) {
		switch s.Kind {
		case SFunctionDef:
			lines := map[int]bool{}
			for l := s.Body[0].Line; l <= s.Body[len(s.Body)-1].EndLine; l++ {
				lines[l] = true
			}
			if n := len(stack); n > 0 && stack[n-1].kind == "class" {
				for l := range lines {
					stack[n-1].lines[l] = true
				}
			}
			for i := len(stack) - 1; i >= 0; i-- {
				if stack[i].kind == "function" {
					for l := range lines {
						delete(stack[i].lines, l)
					}
					break
				}
			}
			c := &ctx{kind: "function", name: s.Name, lines: lines, reg: len(regions)}
			stack = append(stack, c)
			regions = append(regions, Region{Kind: "function", Name: fq(), Start: s.Line})
			sets = append(sets, lines)
			handleBody(s.Body)
			stack = stack[:len(stack)-1]
		case SClassDef:
			lines := map[int]bool{}
			c := &ctx{kind: "class", name: s.Name, lines: lines, reg: len(regions)}
			stack = append(stack, c)
			regions = append(regions, Region{Kind: "class", Name: fq(), Start: s.Line})
			sets = append(sets, lines)
			handleBody(s.Body)
			stack = stack[:len(stack)-1]
			for i := len(stack) - 1; i >= 0; i-- {
				if stack[i].kind == "class" {
					for l := range lines {
						delete(stack[i].lines, l)
					}
				}
			}
		default:
			handleBody(s.Body)
		}
	}
	handleBody(m.Body)
	for i := range regions {
		regions[i].Lines = sortedSet(sets[i])
	}
	return regions
}

func sortedSet(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for l, ok := range m {
		if ok {
			out = append(out, l)
		}
	}
	sort.Ints(out)
	return out
}

func minKey(m map[int]bool) int {
	first := true
	min := 0
	for l := range m {
		if first || l < min {
			min, first = l, false
		}
	}
	return min
}
