package report

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// ErrNoData is coverage.py's "No data to report." condition.
var ErrNoData = errors.New("No data to report.")

// sortedByFilename returns the files in the order coverage.py analyses
// them: by canonical file name.
func sortedByFilename(files []*File) []*File {
	out := append([]*File(nil), files...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Filename < out[j].Filename })
	return out
}

// Total returns the summed figures of the set (what coverage.py's reporters
// return as their total percentage via PcCovered).
func (s *Set) Total(precision int) Numbers {
	t := Numbers{Precision: precision}
	for _, f := range s.Files {
		t = t.Add(f.Numbers(precision, s.HasArcs))
	}
	return t
}

func plural(n int, thing string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, thing)
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// WriteText writes coverage.py's text summary table ("coverage report") and
// returns the total percentage covered.
func WriteText(w io.Writer, s *Set, o *Options) (float64, error) {
	if len(s.Files) == 0 {
		return 0, ErrNoData
	}
	t := newTextTable(s, o)
	if err := t.sort(o.Sort, s.HasArcs); err != nil {
		return 0, err
	}
	switch strings.ToLower(o.Format) {
	case "", "text":
	case "total":
		_, err := io.WriteString(w, t.total.PcCoveredStr()+"\n")
		return t.total.PcCovered(), err
	case "markdown":
		vals := make([][]string, len(t.rows))
		for i, r := range t.rows {
			vals[i] = r.vals
		}
		_, err := io.WriteString(w, markdownTable(t.header, vals, t.totalLine, t.endLines))
		return t.total.PcCovered(), err
	default:
		return 0, fmt.Errorf("Unknown report format choice: %s", pyQuote(o.Format))
	}
	if _, err := io.WriteString(w, t.plain()); err != nil {
		return 0, err
	}
	return t.total.PcCovered(), nil
}

// textRow is one file's row of the text table.
type textRow struct {
	f    *File
	n    Numbers
	vals []string
}

// textTable is the text report's table before it is laid out.
type textTable struct {
	header    []string
	rows      []textRow
	total     Numbers
	totalLine []string
	endLines  []string // the notes on skipped files
}

// newTextTable computes the rows (files skipped by skip_covered and
// skip_empty left out, but counted in the total), the total and the notes.
func newTextTable(s *Set, o *Options) *textTable {
	t := &textTable{total: Numbers{Precision: o.Precision}}
	skipped, empty := 0, 0
	for _, f := range sortedByFilename(s.Files) {
		n := f.Numbers(o.Precision, s.HasArcs)
		t.total = t.total.Add(n)
		switch {
		case o.SkipCovered && n.Missing == 0 && n.PartialBranches == 0:
			skipped++
		case o.SkipEmpty && n.Statements == 0:
			empty++
		default:
			t.rows = append(t.rows, textRow{f: f, n: n})
		}
	}
	t.header = []string{"Name", "Stmts", "Miss"}
	if s.HasArcs {
		t.header = append(t.header, "Branch", "BrPart")
	}
	t.header = append(t.header, "Cover")
	if o.ShowMissing {
		t.header = append(t.header, "Missing")
	}
	for i := range t.rows {
		t.rows[i].vals = rowValues(t.rows[i], s.HasArcs, o)
	}
	t.totalLine = []string{"TOTAL", strconv.Itoa(t.total.Statements), strconv.Itoa(t.total.Missing)}
	if s.HasArcs {
		t.totalLine = append(t.totalLine, strconv.Itoa(t.total.Branches), strconv.Itoa(t.total.PartialBranches))
	}
	t.totalLine = append(t.totalLine, t.total.PcCoveredStr())
	if o.ShowMissing {
		t.totalLine = append(t.totalLine, "")
	}
	if o.SkipCovered && skipped > 0 {
		t.endLines = append(t.endLines, "\n"+plural(skipped, "file")+" skipped due to complete coverage.")
	}
	if o.SkipEmpty && empty > 0 {
		t.endLines = append(t.endLines, "\n"+plural(empty, "empty file")+" skipped.")
	}
	return t
}

// rowValues are the cells of a file's row.
func rowValues(r textRow, hasArcs bool, o *Options) []string {
	v := []string{r.f.RelName, strconv.Itoa(r.n.Statements), strconv.Itoa(r.n.Missing)}
	if hasArcs {
		v = append(v, strconv.Itoa(r.n.Branches), strconv.Itoa(r.n.PartialBranches))
	}
	v = append(v, r.n.PcCoveredStr())
	if o.ShowMissing {
		a := r.f.analysis(o.Precision, hasArcs)
		var arcs map[int][]int
		if hasArcs {
			arcs = a.missingBranchArcs()
		}
		v = append(v, FormatLines(a.statements, a.missing, arcs))
	}
	return v
}

// sort orders the rows as [report] sort says (coverage.py's column names,
// "-" to reverse).
func (t *textTable) sort(by string, hasArcs bool) error {
	sortOpt := strings.ToLower(by)
	if sortOpt == "" {
		sortOpt = "name"
	}
	reverse := false
	switch sortOpt[0] {
	case '-':
		reverse = true
		sortOpt = sortOpt[1:]
	case '+':
		sortOpt = sortOpt[1:]
	}
	cols := map[string]int{"name": 0, "stmts": 1, "miss": 2, "cover": -1}
	if hasArcs {
		cols["branch"] = 3
		cols["brpart"] = 4
	}
	col, ok := cols[sortOpt]
	if !ok {
		return fmt.Errorf("Invalid sorting option: %s", pyQuote(by))
	}
	numeric := func(r textRow) float64 {
		switch col {
		case 1:
			return float64(r.n.Statements)
		case 2:
			return float64(r.n.Missing)
		case 3:
			return float64(r.n.Branches)
		case 4:
			return float64(r.n.PartialBranches)
		}
		return r.n.PcCovered()
	}
	// Python's sort is stable; reverse=True keeps equal keys in their
	// original order too.
	sort.SliceStable(t.rows, func(i, j int) bool {
		a, b := t.rows[i], t.rows[j]
		var c int
		if col == 0 {
			c = compareHuman(makeHumanKey(a.vals[0]), makeHumanKey(b.vals[0]))
		} else {
			x, y := numeric(a), numeric(b)
			switch {
			case x < y:
				c = -1
			case x > y:
				c = 1
			default:
				c = pyStrCompare(a.vals[0], b.vals[0])
			}
		}
		if reverse {
			return c > 0
		}
		return c < 0
	})
	return nil
}

// plain lays the table out as coverage.py's text format does.
func (t *textTable) plain() string {
	coverIdx := 0
	for i, h := range t.header {
		if h == "Cover" {
			coverIdx = i
		}
	}
	maxName := 5
	for _, r := range t.rows {
		maxName = max(maxName, runeLen(r.vals[0]))
	}
	maxName++
	maxN := max(runeLen(t.totalLine[coverIdx])+2, len(" Cover")) + 1
	for _, r := range t.rows {
		maxN = max(maxN, runeLen(r.vals[coverIdx])+2)
	}
	var b strings.Builder
	writeLine := func(s string) {
		b.WriteString(strings.TrimRight(s, " \t\n\r\v\f"))
		b.WriteByte('\n')
	}
	var hb strings.Builder
	for _, h := range t.header {
		switch h {
		case "Name":
			hb.WriteString(padRight(h, maxName))
		case "Cover":
			hb.WriteString(padLeft(h, maxN))
		case "Missing":
			hb.WriteString(padLeft(h, 10))
		default:
			hb.WriteString(padLeft(h, 7))
		}
	}
	headerStr := hb.String()
	rule := strings.Repeat("-", runeLen(headerStr))
	writeLine(headerStr)
	writeLine(rule)
	fmtRow := func(vals []string) string {
		var lb strings.Builder
		for i, h := range t.header {
			v := vals[i]
			switch h {
			case "Name":
				lb.WriteString(padRight(v, maxName))
			case "Cover":
				lb.WriteString(padLeft(v, maxN-1) + "%")
			case "Missing":
				lb.WriteString("   " + padRight(v, 9))
			default:
				lb.WriteString(padLeft(v, 7))
			}
		}
		return lb.String()
	}
	for _, r := range t.rows {
		writeLine(fmtRow(r.vals))
	}
	if len(t.rows) > 0 {
		writeLine(rule)
	}
	writeLine(fmtRow(t.totalLine))
	for _, l := range t.endLines {
		writeLine(l)
	}
	return b.String()
}

func runeLen(s string) int { return len([]rune(s)) }

func padRight(s string, n int) string {
	if k := runeLen(s); k < n {
		return s + strings.Repeat(" ", n-k)
	}
	return s
}

func padLeft(s string, n int) string {
	if k := runeLen(s); k < n {
		return strings.Repeat(" ", n-k) + s
	}
	return s
}

// pyQuote is Python's repr() of a simple string.
func pyQuote(s string) string {
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		return `"` + s + `"`
	}
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", `\'`) + "'"
}

// escapeMarkdown backslashes the ASCII punctuation that means something in
// a markdown table (all of it except . , / -).
func escapeMarkdown(s string) string {
	const special = "!\"#$%&'()*+:;<=>?@[\\]^_`{|}~"
	var b strings.Builder
	for _, r := range s {
		if r < 128 && strings.ContainsRune(special, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// markdownTable is coverage.py's report --format=markdown.
func markdownTable(header []string, rows [][]string, totalLine, endLines []string) string {
	coverIdx := slices.Index(header, "Cover")
	maxName := 0
	for _, r := range rows {
		maxName = max(maxName, runeLen(escapeMarkdown(r[0])))
	}
	maxName = max(maxName, len("**TOTAL**")) + 1
	maxN := max(runeLen(totalLine[coverIdx])+6, len(" Cover "))
	cell := func(item, v string, n int, data bool) string {
		switch item {
		case "Name":
			return "| " + padRight(v, maxName) + "|"
		case "Cover":
			if data {
				return padLeft(v, n) + "% |"
			}
			return padLeft(v, n) + " |"
		case "Missing":
			return padLeft(v, 10) + " |"
		default:
			return padLeft(v, 9) + " |"
		}
	}
	var b strings.Builder
	writeLine := func(s string) {
		b.WriteString(strings.TrimRight(s, " \t\n\r\v\f"))
		b.WriteByte('\n')
	}
	headerItems := make([]string, len(header))
	for i, h := range header {
		headerItems[i] = cell(h, h, maxN, false)
	}
	writeLine(strings.Join(headerItems, ""))
	rules := []string{padLeftWith("- |", runeLen(headerItems[0])-1, '-')}
	for _, it := range headerItems[1:] {
		rules = append(rules, padLeftWith("-: |", runeLen(it)-1, '-'))
	}
	writeLine("|" + strings.Join(rules, " "))
	for _, r := range rows {
		var lb strings.Builder
		for i, h := range header {
			lb.WriteString(cell(h, escapeMarkdown(r[i]), maxN-1, true))
		}
		writeLine(lb.String())
	}
	var tb strings.Builder
	for i, h := range header {
		v := totalLine[i]
		var insert string
		switch {
		case v == "":
			insert = v
		case h == "Cover":
			insert = " **" + v + "%**"
		default:
			insert = " **" + v + "**"
		}
		switch h {
		case "Name":
			tb.WriteString("|" + padRight(insert, maxName) + " |")
		case "Cover":
			tb.WriteString(padLeft(insert, maxN) + " |")
		default:
			tb.WriteString(cell(h, insert, maxN, false))
		}
	}
	writeLine(tb.String())
	for _, l := range endLines {
		writeLine(l)
	}
	return b.String()
}

func padLeftWith(s string, n int, c rune) string {
	if k := runeLen(s); k < n {
		return strings.Repeat(string(c), n-k) + s
	}
	return s
}
