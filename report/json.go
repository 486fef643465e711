package report

import (
	"io"
	"strconv"
	"strings"
)

// JSONFormat is coverage.py's JSON meta.format number.
const JSONFormat = 3

// jw writes JSON the way Python's json.dump does, with or without indent=4.
type jw struct {
	b      strings.Builder
	pretty bool
	depth  int
	first  []bool
}

func (w *jw) newline() {
	w.b.WriteByte('\n')
	for i := 0; i < w.depth; i++ {
		w.b.WriteString("    ")
	}
}

func (w *jw) sep() {
	n := len(w.first) - 1
	if w.first[n] {
		w.first[n] = false
		if w.pretty {
			w.newline()
		}
		return
	}
	if w.pretty {
		w.b.WriteByte(',')
		w.newline()
	} else {
		w.b.WriteString(", ")
	}
}

func (w *jw) open(c byte) {
	w.b.WriteByte(c)
	w.depth++
	w.first = append(w.first, true)
}

func (w *jw) close(c byte) {
	empty := w.first[len(w.first)-1]
	w.first = w.first[:len(w.first)-1]
	w.depth--
	if w.pretty && !empty {
		w.newline()
	}
	w.b.WriteByte(c)
}

func (w *jw) key(k string) {
	w.sep()
	jsonString(&w.b, k)
	w.b.WriteString(": ")
}

func (w *jw) str(s string)    { jsonString(&w.b, s) }
func (w *jw) int(n int)       { w.b.WriteString(strconv.Itoa(n)) }
func (w *jw) float(f float64) { w.b.WriteString(pyRepr(f)) }
func (w *jw) bool(v bool) {
	if v {
		w.b.WriteString("true")
	} else {
		w.b.WriteString("false")
	}
}

func (w *jw) ints(a []int) {
	w.open('[')
	for _, x := range a {
		w.sep()
		w.int(x)
	}
	w.close(']')
}

func (w *jw) arcs(m map[int][]int) {
	w.open('[')
	for _, from := range sortedKeys(m) {
		for _, to := range m[from] {
			w.sep()
			w.open('[')
			w.sep()
			w.int(from)
			w.sep()
			w.int(to)
			w.close(']')
		}
	}
	w.close(']')
}

func (w *jw) summary(n Numbers, hasArcs bool) {
	w.open('{')
	w.key("covered_lines")
	w.int(n.Executed())
	w.key("num_statements")
	w.int(n.Statements)
	w.key("percent_covered")
	w.float(n.PcCovered())
	w.key("percent_covered_display")
	w.str(n.PcCoveredStr())
	w.key("missing_lines")
	w.int(n.Missing)
	w.key("excluded_lines")
	w.int(n.Excluded)
	w.key("percent_statements_covered")
	w.float(n.PcStatements())
	w.key("percent_statements_covered_display")
	w.str(n.PcStatementsStr())
	if hasArcs {
		w.key("num_branches")
		w.int(n.Branches)
		w.key("num_partial_branches")
		w.int(n.PartialBranches)
		w.key("covered_branches")
		w.int(n.ExecutedBranches())
		w.key("missing_branches")
		w.int(n.MissingBranches)
		w.key("percent_branches_covered")
		w.float(n.PcBranches())
		w.key("percent_branches_covered_display")
		w.str(n.PcBranchesStr())
	}
	w.close('}')
}

// body writes the members shared by a file and a region (without braces).
func (w *jw) analysisBody(a *fileAnalysis, hasArcs bool, startLine int) {
	w.key("executed_lines")
	w.ints(a.executed)
	w.key("summary")
	w.summary(a.numbers, hasArcs)
	w.key("missing_lines")
	w.ints(a.missing)
	w.key("excluded_lines")
	w.ints(a.excluded)
	if startLine > 0 {
		w.key("start_line")
		w.int(startLine)
	}
}

func (w *jw) contexts(lc []LineContexts) {
	w.key("contexts")
	w.open('{')
	for _, c := range lc {
		w.key(strconv.Itoa(c.Line))
		w.open('[')
		for _, ctx := range c.Contexts {
			w.sep()
			w.str(ctx)
		}
		w.close(']')
	}
	w.close('}')
}

func (w *jw) branchArcs(a *fileAnalysis) {
	w.key("executed_branches")
	w.arcs(a.executedBranchArcs())
	w.key("missing_branches")
	w.arcs(a.missingBranchArcs())
}

// WriteJSON writes a JSON report exactly as coverage.py's "coverage json"
// does (format 3) and returns the total percentage (0 with no statements).
func WriteJSON(w io.Writer, s *Set, o *Options) (float64, error) {
	if len(s.Files) == 0 {
		return 0, ErrNoData
	}
	hasArcs := s.HasArcs
	j := &jw{pretty: o.PrettyPrint}
	j.open('{')
	j.key("meta")
	j.open('{')
	j.key("format")
	j.int(JSONFormat)
	j.key("version")
	j.str(o.version())
	j.key("timestamp")
	j.str(pyISOFormat(o))
	j.key("branch_coverage")
	j.bool(hasArcs)
	j.key("show_contexts")
	j.bool(o.ShowContexts)
	if len(o.MeasuredBy) > 0 {
		j.key("measured_by")
		j.open('[')
		for _, m := range o.MeasuredBy {
			j.sep()
			j.str(m)
		}
		j.close(']')
	}
	j.close('}')

	total := Numbers{Precision: o.Precision}
	j.key("files")
	j.open('{')
	// Python dict semantics: a repeated key keeps its first position and
	// takes the last value. Render each file, then emit in that order.
	type entry struct {
		key  string
		body string
	}
	var entries []entry
	pos := map[string]int{}
	for _, f := range sortedByFilename(s.Files) {
		a := f.analysis(o.Precision, hasArcs)
		total = total.Add(a.numbers)
		sub := &jw{pretty: o.PrettyPrint, depth: j.depth}
		writeFileJSON(sub, f, a, hasArcs, o.ShowContexts)
		if i, ok := pos[f.RelName]; ok {
			entries[i].body = sub.b.String()
			continue
		}
		pos[f.RelName] = len(entries)
		entries = append(entries, entry{f.RelName, sub.b.String()})
	}
	for _, e := range entries {
		j.key(e.key)
		j.b.WriteString(e.body)
	}
	j.close('}')
	j.key("totals")
	j.summary(total, hasArcs)
	j.close('}')
	if _, err := io.WriteString(w, j.b.String()); err != nil {
		return 0, err
	}
	if total.Statements == 0 {
		return 0, nil
	}
	return total.PcCovered(), nil
}

func writeFileJSON(w *jw, f *File, a *fileAnalysis, hasArcs, showContexts bool) {
	w.open('{')
	w.analysisBody(a, hasArcs, 0)
	if showContexts {
		w.contexts(f.Contexts)
	}
	if hasArcs {
		w.branchArcs(a)
	}
	numLines := pyLineCount(f.Source)
	var ctxs []LineContexts
	if showContexts {
		ctxs = f.Contexts
		if ctxs == nil {
			ctxs = []LineContexts{}
		}
	}
	for _, kind := range [][2]string{{"function", "functions"}, {"class", "classes"}} {
		noun, pluralName := kind[0], kind[1]
		inRegion := map[int]bool{}
		var liness [][]int
		for _, r := range f.Regions {
			if r.Kind != noun {
				continue
			}
			for _, l := range r.Lines {
				inRegion[l] = true
			}
			liness = append(liness, r.Lines)
		}
		var outside []int
		for l := 1; l <= numLines; l++ {
			if !inRegion[l] {
				outside = append(outside, l)
			}
		}
		nw := newNarrower(a)
		nw.addRegions(liness)
		nw.addRegions([][]int{outside})

		w.key(pluralName)
		w.open('{')
		type entry struct {
			key  string
			body string
		}
		var entries []entry
		pos := map[string]int{}
		for _, r := range f.Regions {
			if r.Kind != noun {
				continue
			}
			sub := &jw{pretty: w.pretty, depth: w.depth}
			writeRegionJSON(sub, nw.narrow(r.Lines), hasArcs, r.Start, ctxs)
			if i, ok := pos[r.Name]; ok {
				entries[i].body = sub.b.String()
				continue
			}
			pos[r.Name] = len(entries)
			entries = append(entries, entry{r.Name, sub.b.String()})
		}
		start := 1
		if len(outside) > 0 {
			start = outside[0]
		}
		sub := &jw{pretty: w.pretty, depth: w.depth}
		writeRegionJSON(sub, nw.narrow(outside), hasArcs, start, ctxs)
		if i, ok := pos[""]; ok {
			entries[i].body = sub.b.String()
		} else {
			entries = append(entries, entry{"", sub.b.String()})
		}
		for _, e := range entries {
			w.key(e.key)
			w.b.WriteString(e.body)
		}
		w.close('}')
	}
	w.close('}')
}

// writeRegionJSON writes one region; ctxs (nil: none) are the whole
// file's contexts, as coverage.py writes them for every region.
func writeRegionJSON(w *jw, a *fileAnalysis, hasArcs bool, start int, ctxs []LineContexts) {
	w.open('{')
	w.analysisBody(a, hasArcs, start)
	if ctxs != nil {
		w.contexts(ctxs)
	}
	if hasArcs {
		w.branchArcs(a)
	}
	w.close('}')
}

// pyISOFormat is datetime.datetime.now().isoformat(): local time, no zone,
// microseconds only when non-zero.
func pyISOFormat(o *Options) string {
	t := o.now()
	if t.Nanosecond()/1000 == 0 {
		return t.Format("2006-01-02T15:04:05")
	}
	return t.Format("2006-01-02T15:04:05.000000")
}
