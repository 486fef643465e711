package report

import (
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
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
	// Contexts lists, per measured line, the contexts that ran it, in the
	// order coverage.py's contexts_by_lineno gives them (for JSON
	// show_contexts).
	Contexts []LineContexts

	an *fileAnalysis // computed lazily
}

// LineContexts are the contexts that executed one line.
type LineContexts struct {
	Line     int
	Contexts []string
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
	Format      string // text table: "text" (""), "markdown" or "total"

	// XML
	SourcePaths   []string // [run] source entries that exist (canonical unless RelativeFiles)
	RelativeFiles bool
	PackageDepth  int // 0 means coverage.py's default, 99
	Cwd           string

	// LCOV
	LineChecksums bool

	// JSON
	PrettyPrint  bool
	ShowContexts bool // JSON "contexts" per file and region (File.Contexts)

	// Now stamps the XML and JSON reports; zero means time.Now (or
	// SOURCE_DATE_EPOCH, resolved by the caller).
	Now time.Time
	// Version is the coverage.py version the reports claim to be written by
	// (XML version attribute and comment URL, JSON meta.version).
	Version string
	// MeasuredBy, when set, lists what measured the data (JSON
	// meta.measured_by): for data from several interpreters or from
	// covkit's own engine, which Version alone cannot say.
	MeasuredBy []string
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
// narrowed region of it. It is immutable once made, so writers may share it.
type fileAnalysis struct {
	hasArcs    bool
	statements []int
	excluded   []int
	executed   []int
	missing    []int
	possible   [][2]int // sorted, unique
	arcsExec   [][2]int // sorted, unique
	exitCounts map[int]int
	noBranch   map[int]bool
	numbers    Numbers
	// Branch facts, computed once (nil maps without arcs).
	mba   map[int][]int  // missing_branch_arcs
	eba   map[int][]int  // executed_branch_arcs
	stats map[int][2]int // branch_stats
}

func cmpArcs(a, b [2]int) int {
	if a[0] != b[0] {
		return a[0] - b[0]
	}
	return a[1] - b[1]
}

func sortArcs(a [][2]int) { slices.SortFunc(a, cmpArcs) }

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
	a.numbers = Numbers{
		Precision:  precision,
		Files:      1,
		Statements: len(statements),
		Excluded:   len(excluded),
		Missing:    len(a.missing),
	}
	if !hasArcs {
		return a
	}
	a.possible = uniqueArcs(possible)
	a.arcsExec = uniqueArcs(arcsExec)
	a.branchFacts()
	a.numbers.Branches = a.totalBranches()
	for l, v := range a.mba {
		if _, found := slices.BinarySearch(a.missing, l); !found {
			a.numbers.PartialBranches += len(v)
		}
		a.numbers.MissingBranches += len(v)
	}
	return a
}

// branchFacts computes missing_branch_arcs, executed_branch_arcs and
// branch_stats by walking the sorted possible and executed arcs together.
func (a *fileAnalysis) branchFacts() {
	a.mba = map[int][]int{}
	a.eba = map[int][]int{}
	j := 0
	for _, p := range a.possible {
		for j < len(a.arcsExec) && cmpArcs(a.arcsExec[j], p) < 0 {
			j++
		}
		executed := j < len(a.arcsExec) && a.arcsExec[j] == p
		if !a.isBranchLine(p[0]) {
			continue
		}
		if executed {
			a.eba[p[0]] = append(a.eba[p[0]], p[1])
			continue
		}
		if a.noBranch[p[0]] {
			continue
		}
		if _, excl := slices.BinarySearch(a.excluded, p[1]); excl {
			continue
		}
		a.mba[p[0]] = append(a.mba[p[0]], p[1])
	}
	a.stats = map[int][2]int{}
	for l, c := range a.exitCounts {
		if c > 1 {
			a.stats[l] = [2]int{c, c - len(a.mba[l])}
		}
	}
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

// missingBranchArcs maps branch lines to their unexecuted destinations.
func (a *fileAnalysis) missingBranchArcs() map[int][]int { return a.mba }

// executedBranchArcs maps branch lines to their executed, possible
// destinations.
func (a *fileAnalysis) executedBranchArcs() map[int][]int { return a.eba }

// branchStats maps each branch line to (total exits, taken exits).
func (a *fileAnalysis) branchStats() map[int][2]int { return a.stats }

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
	regPoss    map[int][][2]int
	regExec    map[int][][2]int
	regExits   map[int]map[int]int
	regionKeys map[string]int
}

func newNarrower(a *fileAnalysis) *narrower {
	return &narrower{a: a, regPoss: map[int][][2]int{}, regExec: map[int][][2]int{}, regExits: map[int]map[int]int{}, regionKeys: map[string]int{}}
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
	maxLine := 0
	for _, lines := range liness {
		if len(lines) > 0 {
			maxLine = max(maxLine, lines[len(lines)-1])
		}
	}
	// l2r[line] is the region id + 1; 0 is no region.
	l2r := make([]int32, maxLine+1)
	for _, lines := range liness {
		id := int32(n.id(lines)) + 1
		for _, l := range lines {
			if l > 0 {
				l2r[l] = id
			}
		}
	}
	region := func(l int) int {
		if l <= 0 || l > maxLine {
			return -1
		}
		return int(l2r[l]) - 1
	}
	collect := func(arcs [][2]int, dst map[int][][2]int) {
		for _, p := range arcs {
			ra := region(p[0])
			if ra >= 0 {
				dst[ra] = append(dst[ra], p)
			}
			if rb := region(p[1]); rb >= 0 && rb != ra {
				dst[rb] = append(dst[rb], p)
			}
		}
	}
	collect(n.a.possible, n.regPoss)
	collect(n.a.arcsExec, n.regExec)
	for l, c := range n.a.exitCounts {
		if r := region(l); r >= 0 {
			if n.regExits[r] == nil {
				n.regExits[r] = map[int]int{}
			}
			n.regExits[r][l] = c
		}
	}
}

// intersectSorted returns the elements of sorted a that are in sorted b.
func intersectSorted(a, b []int) []int {
	var out []int
	j := 0
	for _, x := range a {
		for j < len(b) && b[j] < x {
			j++
		}
		if j == len(b) {
			break
		}
		if b[j] == x {
			out = append(out, x)
		}
	}
	return out
}

func (n *narrower) narrow(lines []int) *fileAnalysis {
	a := n.a
	st := intersectSorted(a.statements, lines)
	ex := intersectSorted(a.excluded, lines)
	exe := intersectSorted(a.executed, lines)
	if !a.hasArcs {
		return newFileAnalysis(a.numbers.Precision, false, st, ex, exe, nil, nil, nil, nil)
	}
	id := n.id(lines)
	nb := map[int]bool{}
	for l := range a.noBranch {
		if _, ok := slices.BinarySearch(lines, l); ok {
			nb[l] = true
		}
	}
	exits := n.regExits[id]
	if exits == nil {
		exits = map[int]int{}
	}
	return newFileAnalysis(a.numbers.Precision, true, st, ex, exe, n.regPoss[id], n.regExec[id], exits, nb)
}

// uniqueArcs sorts arcs and drops repeats (a region registered twice, as
// the same line set, collects its arcs twice).
func uniqueArcs(a [][2]int) [][2]int {
	a = slices.Clone(a)
	sortArcs(a)
	return slices.Compact(a)
}

// Prepare computes every file's figures at this precision, in parallel, so
// that the writers (which may then run concurrently) only read them.
func (s *Set) Prepare(precision int) {
	var wg sync.WaitGroup
	var next atomic.Int64
	for range min(runtime.GOMAXPROCS(0), len(s.Files)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(s.Files) {
					return
				}
				s.Files[i].analysis(precision, s.HasArcs)
			}
		})
	}
	wg.Wait()
}
