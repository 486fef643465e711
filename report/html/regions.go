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
			// Regions of one kind do not overlap; the lines outside them
			// make one more part.
			var regs []report.Region
			for _, r := range e.f.Regions {
				if r.Kind == k.kind {
					regs = append(regs, r)
				}
			}
			of := make([]int32, nLines+1)
			for i := range of {
				of[i] = int32(len(regs))
			}
			for i, r := range regs {
				for _, l := range r.Lines {
					if l >= 1 && l <= nLines {
						of[l] = int32(i)
					}
				}
			}
			regionOf := func(l int) int {
				if l < 1 || l > nLines {
					return -1
				}
				return int(of[l])
			}
			parts := narrowAll(e.f, regionOf, len(regs)+1, s.HasArcs)
			for i, part := range parts {
				n := part.Numbers(o.Precision, s.HasArcs)
				p.total = p.total.Add(n)
				switch {
				case o.SkipCovered && n.Missing == 0 && n.PartialBranches == 0:
					p.skip[0]++
					continue
				case o.SkipEmpty && n.Statements == 0:
					p.skip[1]++
					continue
				}
				row := indexRow{names: []string{e.f.RelName, ""}, sortBy: []string{e.f.RelName, ""}, link: e.page, n: n}
				if i < len(regs) {
					r := regs[i]
					short := r.Name[strings.LastIndexByte(r.Name, '.')+1:]
					row.names[1], row.sortBy[1], row.link = r.Name, strings.TrimLeft(short, "_"), e.page+"#t"+strconv.Itoa(r.Start)
				}
				p.rows = append(p.rows, row)
			}
		}
		pages = append(pages, p)
	}
	return pages
}

// narrowAll cuts f into parts, as coverage.py's AnalysisNarrower cuts a
// file's analysis into regions: each part has the statements on its lines
// and the arcs that start or end on them (regionOf gives a line's part, -1
// for none). The figures then come from package report exactly as for a
// file.
func narrowAll(f *report.File, regionOf func(int) int, n int, hasArcs bool) []*report.File {
	parts := make([]*report.File, n)
	for i := range parts {
		parts[i] = &report.File{Filename: f.Filename, RelName: f.RelName}
		if hasArcs && f.Branch != nil {
			parts[i].Branch = &report.Branches{ExitCounts: map[int]int{}}
		}
	}
	split := func(xs []int, dst func(*report.File) *[]int) {
		for _, x := range xs {
			if r := regionOf(x); r >= 0 {
				d := dst(parts[r])
				*d = append(*d, x)
			}
		}
	}
	split(f.Statements, func(p *report.File) *[]int { return &p.Statements })
	split(f.Excluded, func(p *report.File) *[]int { return &p.Excluded })
	split(f.Executed, func(p *report.File) *[]int { return &p.Executed })
	if !hasArcs || f.Branch == nil {
		return parts
	}
	split(f.Branch.NoBranch, func(p *report.File) *[]int { return &p.Branch.NoBranch })
	arcs := func(as [][2]int, dst func(*report.Branches) *[][2]int) {
		for _, a := range as {
			r0, r1 := regionOf(a[0]), regionOf(a[1])
			if r0 >= 0 {
				d := dst(parts[r0].Branch)
				*d = append(*d, a)
			}
			if r1 >= 0 && r1 != r0 {
				d := dst(parts[r1].Branch)
				*d = append(*d, a)
			}
		}
	}
	arcs(f.Branch.Possible, func(b *report.Branches) *[][2]int { return &b.Possible })
	arcs(f.Branch.Executed, func(b *report.Branches) *[][2]int { return &b.Executed })
	for l, c := range f.Branch.ExitCounts {
		if r := regionOf(l); r >= 0 {
			parts[r].Branch.ExitCounts[l] = c
		}
	}
	return parts
}
