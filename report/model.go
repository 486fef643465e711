package report

import (
	"slices"
	"sort"
	"time"
)

// Region is a function or class, as coverage.py's code_regions() finds them.
type Region struct {
	Kind  string // "function" or "class"
	Name  string // dotted, e.g. "Class.method"
	Start int
	Lines []int // sorted; may be empty (a class with no methods)
}

// Branches carries one file's branch (arc) facts, as coverage.py's Analysis
// gets them from the parser and the data. A nil *Branches on a File means
// "no branch information".
type Branches struct {
	Possible   [][2]int    // arc_possibilities_set
	Executed   [][2]int    // arcs_executed_set (already translated and reduced)
	ExitCounts map[int]int // line -> number of exits
	NoBranch   []int       // lines matching partial_branches
	// Describe returns the human description of the arc from->to (LCOV BRDA
	// names); nil falls back to "jump to line N" / "return from function".
	Describe func(from, to int) string
}

// File is the result for one measured source file: what coverage.py's
// FileReporter and Analysis know about it.
type File struct {
	Filename   string // fr.filename: canonical path
	RelName    string // fr.relative_filename(): the display name
	Statements []int  // sorted
	Excluded   []int  // sorted
	Executed   []int  // sorted, a subset of Statements
	Regions    []Region
	// Source is the text as coverage.py reads it (newlines normalised, \f
	// replaced, final newline added). Needed for JSON regions (line count)
	// and LCOV checksums.
	Source string
	// Branch is nil unless branch data is reported.
	Branch *Branches

	an *fileAnalysis // computed lazily
}

// Set is everything a report covers.
type Set struct {
	Files []*File
	// HasArcs says branch numbers are reported; every File must then carry
	// Branch data.
	HasArcs bool
}

// Options are the report settings (the [report], [xml], [lcov] and [json]
// sections of the configuration, after command-line overrides).
type Options struct {
	Precision   int
	ShowMissing bool
	SkipCovered bool
	SkipEmpty   bool
	Sort        string // "name", "-cover", ...; "" is "name"

	// XML
	SourcePaths   []string // [run] source entries that exist (canonical unless RelativeFiles)
	RelativeFiles bool
	PackageDepth  int // 0 means coverage.py's default, 99
	Cwd           string

	// LCOV
	LineChecksums bool

	// JSON
	PrettyPrint  bool
	ShowContexts bool // not supported yet: contexts are not written

	// Now stamps the XML and JSON reports; zero means time.Now (or
	// SOURCE_DATE_EPOCH, resolved by the caller).
	Now time.Time
	// Version is the coverage.py version the reports claim to be written by
	// (XML version attribute and comment URL, JSON meta.version).
	Version string
}

// FormatVersion is the coverage.py version whose report formats covkit writes.
const FormatVersion = "7.16.1"

func (o *Options) version() string {
	if o.Version == "" {
		return FormatVersion
	}
	return o.Version
}

func (o *Options) now() time.Time {
	if o.Now.IsZero() {
		return time.Now()
	}
	return o.Now
}

// fileAnalysis mirrors coverage.py's results.Analysis for one file, or for a
// narrowed region of it.
type fileAnalysis struct {
	hasArcs    bool
	statements []int
	excluded   []int
	executed   []int
	missing    []int
	possible   [][2]int // sorted
	possSet    map[[2]int]bool
	arcsExec   [][2]int // sorted
	execSet    map[[2]int]bool
	exitCounts map[int]int
	noBranch   map[int]bool
	excludedS  map[int]bool
	numbers    Numbers
}

func sortArcs(a [][2]int) {
	sort.Slice(a, func(i, j int) bool {
		if a[i][0] != a[j][0] {
			return a[i][0] < a[j][0]
		}
		return a[i][1] < a[j][1]
	})
}

func newFileAnalysis(precision int, hasArcs bool, statements, excluded, executed []int, possible, arcsExec [][2]int, exitCounts map[int]int, noBranch map[int]bool) *fileAnalysis {
	a := &fileAnalysis{
		hasArcs:    hasArcs,
		statements: statements,
		excluded:   excluded,
		executed:   executed,
		exitCounts: exitCounts,
		noBranch:   noBranch,
	}
	a.missing = minus(statements, executed)
	if hasArcs {
		a.possible = slices.Clone(possible)
		sortArcs(a.possible)
		a.possSet = make(map[[2]int]bool, len(possible))
		for _, p := range possible {
			a.possSet[p] = true
		}
		a.arcsExec = slices.Clone(arcsExec)
		sortArcs(a.arcsExec)
		a.execSet = make(map[[2]int]bool, len(arcsExec))
		for _, p := range arcsExec {
			a.execSet[p] = true
		}
		a.excludedS = make(map[int]bool, len(excluded))
		for _, l := range excluded {
			a.excludedS[l] = true
		}
	}
	a.numbers = Numbers{
		Precision:  precision,
		Files:      1,
		Statements: len(statements),
		Excluded:   len(excluded),
		Missing:    len(a.missing),
	}
	if hasArcs {
		a.numbers.Branches = a.totalBranches()
		missing := make(map[int]bool, len(a.missing))
		for _, l := range a.missing {
			missing[l] = true
		}
		for l, v := range a.missingBranchArcs() {
			if !missing[l] {
				a.numbers.PartialBranches += len(v)
			}
			a.numbers.MissingBranches += len(v)
		}
	}
	return a
}

// minus returns sorted a minus sorted b.
func minus(a, b []int) []int {
	out := make([]int, 0, len(a))
	j := 0
	for _, x := range a {
		for j < len(b) && b[j] < x {
			j++
		}
		if j < len(b) && b[j] == x {
			continue
		}
		out = append(out, x)
	}
	return out
}

// intersect returns sorted a ∩ set.
func intersect(a []int, set map[int]bool) []int {
	var out []int
	for _, x := range a {
		if set[x] {
			out = append(out, x)
		}
	}
	return out
}

func (a *fileAnalysis) totalBranches() int {
	n := 0
	for _, c := range a.exitCounts {
		if c > 1 {
			n += c
		}
	}
	return n
}

func (a *fileAnalysis) isBranchLine(l int) bool { return a.exitCounts[l] > 1 }

func (a *fileAnalysis) arcsMissing() [][2]int {
	var out [][2]int
	for _, p := range a.possible {
		if !a.execSet[p] && !a.noBranch[p[0]] && !a.excludedS[p[1]] {
			out = append(out, p)
		}
	}
	return out
}

// missingBranchArcs maps branch lines to their unexecuted destinations.
func (a *fileAnalysis) missingBranchArcs() map[int][]int {
	m := map[int][]int{}
	for _, p := range a.arcsMissing() {
		if a.isBranchLine(p[0]) {
			m[p[0]] = append(m[p[0]], p[1])
		}
	}
	return m
}

// executedBranchArcs maps branch lines to their executed, possible
// destinations.
func (a *fileAnalysis) executedBranchArcs() map[int][]int {
	m := map[int][]int{}
	for _, p := range a.arcsExec {
		if !a.possSet[p] {
			continue
		}
		if a.isBranchLine(p[0]) {
			m[p[0]] = append(m[p[0]], p[1])
		}
	}
	return m
}

// branchStats maps each branch line to (total exits, taken exits).
func (a *fileAnalysis) branchStats() map[int][2]int {
	mba := a.missingBranchArcs()
	st := map[int][2]int{}
	for l, c := range a.exitCounts {
		if c > 1 {
			st[l] = [2]int{c, c - len(mba[l])}
		}
	}
	return st
}

// sortedKeys returns the keys of m in order of first appearance as
// coverage.py's defaultdicts would have them: the order arcs were visited,
// which is sorted arc order, i.e. ascending line.
func sortedKeys[V any](m map[int]V) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	return keys
}

func (f *File) analysis(precision int, hasArcs bool) *fileAnalysis {
	if f.an != nil && f.an.numbers.Precision == precision && f.an.hasArcs == hasArcs {
		return f.an
	}
	var possible, exec [][2]int
	var exits map[int]int
	var noBranch map[int]bool
	if hasArcs && f.Branch != nil {
		possible, exec, exits = f.Branch.Possible, f.Branch.Executed, f.Branch.ExitCounts
		noBranch = make(map[int]bool, len(f.Branch.NoBranch))
		for _, l := range f.Branch.NoBranch {
			noBranch[l] = true
		}
	}
	f.an = newFileAnalysis(precision, hasArcs, f.Statements, f.Excluded, f.Executed, possible, exec, exits, noBranch)
	return f.an
}

// Numbers returns the file's figures at this precision.
func (f *File) Numbers(precision int, hasArcs bool) Numbers {
	return f.analysis(precision, hasArcs).numbers
}

// Missing returns the statements not executed, sorted.
func (f *File) Missing() []int { return minus(f.Statements, f.Executed) }

// narrower reduces an analysis to regions, like coverage.py's
// AnalysisNarrower.
type narrower struct {
	a          *fileAnalysis
	line2reg   map[int]int // line -> region id
	regPoss    map[int][][2]int
	regExec    map[int][][2]int
	regExits   map[int]map[int]int
	regionKeys map[string]int
}

func newNarrower(a *fileAnalysis) *narrower {
	return &narrower{a: a, line2reg: map[int]int{}, regPoss: map[int][][2]int{}, regExec: map[int][][2]int{}, regExits: map[int]map[int]int{}, regionKeys: map[string]int{}}
}

func regionKey(lines []int) string {
	b := make([]byte, 0, len(lines)*3)
	for _, l := range lines {
		b = append(b, byte(l>>24), byte(l>>16), byte(l>>8), byte(l), ',')
	}
	return string(b)
}

func (n *narrower) id(lines []int) int {
	k := regionKey(lines)
	if id, ok := n.regionKeys[k]; ok {
		return id
	}
	id := len(n.regionKeys)
	n.regionKeys[k] = id
	return id
}

// addRegions registers sets of lines (each sorted).
func (n *narrower) addRegions(liness [][]int) {
	if !n.a.hasArcs {
		return
	}
	l2r := map[int]int{}
	for _, lines := range liness {
		id := n.id(lines)
		for _, l := range lines {
			l2r[l] = id
		}
	}
	collect := func(arcs [][2]int, dst map[int][][2]int) {
		seen := map[[3]int]bool{}
		for _, p := range arcs {
			if r, ok := l2r[p[0]]; ok && !seen[[3]int{r, p[0], p[1]}] {
				seen[[3]int{r, p[0], p[1]}] = true
				dst[r] = append(dst[r], p)
			}
			if r, ok := l2r[p[1]]; ok && !seen[[3]int{r, p[0], p[1]}] {
				seen[[3]int{r, p[0], p[1]}] = true
				dst[r] = append(dst[r], p)
			}
		}
	}
	collect(n.a.possible, n.regPoss)
	collect(n.a.arcsExec, n.regExec)
	for l, c := range n.a.exitCounts {
		if r, ok := l2r[l]; ok {
			if n.regExits[r] == nil {
				n.regExits[r] = map[int]int{}
			}
			n.regExits[r][l] = c
		}
	}
}

func (n *narrower) narrow(lines []int) *fileAnalysis {
	set := make(map[int]bool, len(lines))
	for _, l := range lines {
		set[l] = true
	}
	a := n.a
	st := intersect(a.statements, set)
	ex := intersect(a.excluded, set)
	exe := intersect(a.executed, set)
	if !a.hasArcs {
		return newFileAnalysis(a.numbers.Precision, false, st, ex, exe, nil, nil, nil, nil)
	}
	id := n.id(lines)
	nb := map[int]bool{}
	for l := range a.noBranch {
		if set[l] {
			nb[l] = true
		}
	}
	exits := n.regExits[id]
	if exits == nil {
		exits = map[int]int{}
	}
	return newFileAnalysis(a.numbers.Precision, true, st, ex, exe, n.regPoss[id], n.regExec[id], exits, nb)
}
