package pyarcs

import (
	"sort"
	"sync"

	"github.com/covkit/covkit/pysource"
)

// BranchFacts are one file's branch facts for its measured arcs, what
// coverage.py's Analysis knows about branches.
type BranchFacts struct {
	Possible   [][2]int    // arc_possibilities_set
	Executed   [][2]int    // arcs_executed_set (translated and reduced)
	ExitCounts map[int]int // line -> number of exits
	NoBranch   []int       // lines matching partial_branches
	// Describe returns the human description of the arc from->to.
	Describe func(from, to int) string
}

// Branches returns, for file a, a function that, given the arcs measured
// for the file (as stored in the data file), returns its branch facts the way coverage.py 7.16's
// analysis_from_file_reporter computes them (translated executed arcs,
// reduced to the possible ones for lines with a single destination).
// The arcs are computed on the first call.
func Branches(a *pysource.Analysis, opts Options) func(executedArcs [][2]int) *BranchFacts {
	arcs := sync.OnceValue(func() *Result { return Arcs(a, opts) })
	return func(executed [][2]int) *BranchFacts {
		return arcs().Branches(a, executed)
	}
}

// Branches is the branch facts for the measured arcs.
func (r *Result) Branches(a *pysource.Analysis, executed [][2]int) *BranchFacts {
	dests := map[int][]int{}
	for _, arc := range r.Arcs {
		dests[arc[0]] = append(dests[arc[0]], arc[1])
	}
	translated := r.Translate(executed)
	reduced := make([][2]int, 0, len(translated))
	for _, arc := range translated {
		if arc[0] != arc[1] {
			reduced = append(reduced, arc)
		} else if d := dests[arc[0]]; len(d) == 1 {
			reduced = append(reduced, [2]int{arc[0], d[0]})
		}
	}
	exits := make(map[int]int, len(r.ExitCounts))
	for l, n := range r.ExitCounts {
		exits[l] = n
	}
	return &BranchFacts{
		Possible:   r.Arcs,
		Executed:   r.Translate(reduced),
		ExitCounts: exits,
		NoBranch:   a.NoBranch,
		Describe:   r.Description,
	}
}

// BranchLines returns the lines with more than one exit (coverage.py's
// Analysis._branch_lines), sorted.
func (r *Result) BranchLines() []int {
	var out []int
	for l, n := range r.ExitCounts {
		if n > 1 {
			out = append(out, l)
		}
	}
	sort.Ints(out)
	return out
}
