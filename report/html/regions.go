package html

import (
	"strconv"
	"strings"

	"github.com/covkit/covkit/report"
)

const (
	functionIndex = "function_index.html"
	classIndex    = "class_index.html"
)

// regionIndexes builds the function and class indexes, as coverage.py 7's
// HTML report has them: a row per function (class) of each file that has a
// page, plus a "(no function)" row for the lines outside them. Nil when no
// file has regions.
func regionIndexes(s *report.Set, entries []*entry, o Options) []*indexPage {
	any := false
	for _, e := range entries {
		any = any || len(e.f.Regions) > 0
	}
	if !any {
		return nil
	}
	var pages []*indexPage
	for _, k := range []struct{ kind, name, plural string }{{"function", functionIndex, "Functions"}, {"class", classIndex, "Classes"}} {
		// Totals are those of the files shown, as coverage.py sums them.
		p := &indexPage{name: k.name, noun: k.kind, plural: k.plural, cols: []string{"File", k.kind}, total: report.Numbers{Precision: o.Precision}}
		for _, e := range entries {
			if e.page == "" {
				continue
			}
			nLines := strings.Count(e.f.Source, "\n")
			if e.f.Source != "" && !strings.HasSuffix(e.f.Source, "\n") {
				nLines++
			}
			outside := make(map[int]bool, nLines)
			for l := 1; l <= nLines; l++ {
				outside[l] = true
			}
			add := func(name, sortBy, link string, lines map[int]bool) {
				n := narrow(e.f, lines, s.HasArcs).Numbers(o.Precision, s.HasArcs)
				p.total = p.total.Add(n)
				switch {
				case o.SkipCovered && n.Missing == 0 && n.PartialBranches == 0:
					p.skip[0]++
				case o.SkipEmpty && n.Statements == 0:
					p.skip[1]++
				default:
					p.rows = append(p.rows, indexRow{names: []string{e.f.RelName, name}, sortBy: []string{e.f.RelName, sortBy}, link: link, n: n})
				}
			}
			for _, r := range e.f.Regions {
				if r.Kind != k.kind {
					continue
				}
				lines := set(r.Lines)
				for l := range lines {
					delete(outside, l)
				}
				short := r.Name[strings.LastIndexByte(r.Name, '.')+1:]
				add(r.Name, strings.TrimLeft(short, "_"), e.page+"#t"+strconv.Itoa(r.Start), lines)
			}
			add("", "", e.page, outside)
		}
		pages = append(pages, p)
	}
	return pages
}

// narrow returns the part of f on lines, as coverage.py's AnalysisNarrower
// cuts a file's analysis to a region: the statements on those lines and the
// arcs that start or end on them. The figures then come from package report
// exactly as for a file.
func narrow(f *report.File, lines map[int]bool, hasArcs bool) *report.File {
	keep := func(xs []int) []int {
		var out []int
		for _, x := range xs {
			if lines[x] {
				out = append(out, x)
			}
		}
		return out
	}
	r := &report.File{Filename: f.Filename, RelName: f.RelName, Statements: keep(f.Statements), Excluded: keep(f.Excluded), Executed: keep(f.Executed)}
	if hasArcs && f.Branch != nil {
		arcs := func(as [][2]int) [][2]int {
			var out [][2]int
			for _, a := range as {
				if lines[a[0]] || lines[a[1]] {
					out = append(out, a)
				}
			}
			return out
		}
		br := &report.Branches{Possible: arcs(f.Branch.Possible), Executed: arcs(f.Branch.Executed), ExitCounts: map[int]int{}, NoBranch: keep(f.Branch.NoBranch)}
		for l, c := range f.Branch.ExitCounts {
			if lines[l] {
				br.ExitCounts[l] = c
			}
		}
		r.Branch = br
	}
	return r
}
