// Package html owns covkit's HTML report: a static, self-contained site (an
// index of every file with totals and a coverage trend, and one page per
// file with its highlighted source and each line's status) in the spirit of
// coverage.py's "coverage html", written from the same report model the text
// report uses so that every figure agrees with it.
//
// The site needs no network and works from file://: the stylesheet and script
// are embedded in covkit and copied beside the pages. Output is
// deterministic: the time stamp is the caller's (SOURCE_DATE_EPOCH), pages are
// named from the file names by a fixed rule, and nothing comes from map order.
package html

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/covkit/covkit/history"
	"github.com/covkit/covkit/internal/outfile"
	"github.com/covkit/covkit/report"
)

//go:embed assets/style.css assets/coverage.js
var assets embed.FS

// Options are the [html] settings plus what the site shows besides the
// measurements.
type Options struct {
	// Title heads the index page; "" is "Coverage report".
	Title string
	// Precision is the number of decimals of the percentages shown, as in
	// the text report.
	Precision int
	// SkipCovered leaves fully covered files out of the index (no page is
	// written for them); SkipEmpty does the same for files without
	// statements. Totals still count them, as in the text report.
	SkipCovered, SkipEmpty bool
	// ShowContexts adds, to each executed line that Contexts knows, the
	// list of contexts (with covkit's per-process contexts: the command
	// lines) that ran it.
	ShowContexts bool
	// Contexts returns a file's line -> contexts map; nil takes them from
	// the report model (report.File.Contexts), a nil map means none are
	// known.
	Contexts func(f *report.File) map[int][]string
	// History is the coverage history, oldest first, including this run
	// if it was recorded; with two or more records the index draws the
	// trend of the total.
	History []history.Record
	// ExtraCSS is the path of a stylesheet ([html] extra_css) copied into
	// the report as extra.css and linked from every page after covkit's.
	ExtraCSS string
	// Now stamps the pages; zero means time.Now.
	Now time.Time
}

// The names of the support files written beside the pages.
const (
	indexName = "index.html"
	cssName   = "style.css"
	jsName    = "coverage.js"
	extraName = "extra.css"
)

// entry is one file of the report and its page.
type entry struct {
	f    *report.File
	n    report.Numbers
	page string // file name of its page, "" when skipped
}

// Write writes the report for s into dir, creating it if needed. Files of the
// set are named by their RelName; whatever those names hold, every file
// written lies directly in dir. The report is built beside the files already
// in dir and moved in only when complete: a failure (a full disk) leaves dir
// as it was, and one error says why.
func Write(dir string, s *report.Set, o Options) error {
	if len(s.Files) == 0 {
		return report.ErrNoData
	}
	if o.Title == "" {
		o.Title = "Coverage report"
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	var extra []byte
	if o.ExtraCSS != "" {
		var err error
		if extra, err = os.ReadFile(o.ExtraCSS); err != nil {
			return fmt.Errorf("html report: extra_css: %w", err)
		}
	}
	out, err := outfile.CreateDir(dir)
	if err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	if err := writeFiles(out.Path(), s, o, extra); err != nil {
		out.Abort()
		var pe *fs.PathError
		if errors.As(err, &pe) {
			// Name the file as it would have been, not the staging copy.
			err = fmt.Errorf("writing %s: %w", filepath.Join(dir, filepath.Base(pe.Path)), pe.Err)
		}
		return fmt.Errorf("html report: %w", err)
	}
	if err := out.Commit(); err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	return nil
}

// writeFiles writes the pages, indexes and support files into dir; the
// first error stops it.
func writeFiles(dir string, s *report.Set, o Options, extra []byte) error {
	entries, total := plan(s, o)

	var shown []*entry
	for _, e := range entries {
		if e.page != "" {
			shown = append(shown, e)
		}
	}
	// The region indexes and the pages are independent: build them on
	// every core.
	regionsDone := make(chan []*indexPage, 1)
	go func() { regionsDone <- regionIndexes(s, entries, o) }()
	// Pages are independent: render them on every core, until one fails.
	var failed atomic.Pointer[error]
	var wg sync.WaitGroup
	work := make(chan int)
	for range max(1, min(len(shown), 4)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			for i := range work {
				if failed.Load() != nil {
					continue
				}
				buf.Reset()
				var prev, next *entry
				if i > 0 {
					prev = shown[i-1]
				}
				if i+1 < len(shown) {
					next = shown[i+1]
				}
				writeFilePage(&buf, s, shown[i], prev, next, o)
				if err := os.WriteFile(filepath.Join(dir, shown[i].page), buf.Bytes(), 0o666); err != nil {
					failed.CompareAndSwap(nil, &err)
				}
			}
		}()
	}
	for i := range shown {
		work <- i
	}
	close(work)
	wg.Wait()
	regions := <-regionsDone
	if err := failed.Load(); err != nil {
		return *err
	}

	type file struct {
		name string
		data []byte
	}
	var files []file
	for _, p := range append([]*indexPage{fileIndex(entries, total, o)}, regions...) {
		var buf bytes.Buffer
		writeIndex(&buf, s, p, regions, o)
		files = append(files, file{p.name, buf.Bytes()})
	}
	files = append(files, file{".gitignore", []byte("# Created by covkit.\n*\n")})
	for _, n := range []string{cssName, jsName} {
		b, err := assets.ReadFile("assets/" + n)
		if err != nil {
			return err
		}
		files = append(files, file{n, b})
	}
	if extra != nil {
		files = append(files, file{extraName, extra})
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.name), f.data, 0o666); err != nil {
			return err
		}
	}
	return nil
}

// plan orders the files as the text report does by default (by name) and
// names their pages.
func plan(s *report.Set, o Options) ([]*entry, report.Numbers) {
	entries := make([]*entry, 0, len(s.Files))
	total := report.Numbers{Precision: o.Precision}
	for _, f := range s.Files {
		n := f.Numbers(o.Precision, s.HasArcs)
		total = total.Add(n)
		entries = append(entries, &entry{f: f, n: n})
	}
	sort.SliceStable(entries, func(i, j int) bool { return report.HumanLess(entries[i].f.RelName, entries[j].f.RelName) })
	used := map[string]bool{indexName: true, cssName: true, jsName: true, extraName: true, functionIndex: true, classIndex: true}
	for _, e := range entries {
		if o.SkipCovered && e.n.Missing == 0 && e.n.PartialBranches == 0 || o.SkipEmpty && e.n.Statements == 0 {
			continue
		}
		e.page = pageName(e.f, used)
	}
	return entries, total
}

// pageName names a file's page: its relative name flattened to safe
// characters (no separators, no dots but the extension's, so it can neither
// leave the directory nor be hidden), with a hash of the full name so that
// names differing only in unsafe characters do not collide.
func pageName(f *report.File, used map[string]bool) string {
	h := fnv.New32a()
	h.Write([]byte(f.Filename))
	var b strings.Builder
	for _, r := range f.RelName {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		if b.Len() >= 80 {
			break
		}
	}
	base := fmt.Sprintf("%s_%08x", b.String(), h.Sum32())
	name := base + ".html"
	for i := 2; used[name]; i++ {
		name = base + "_" + strconv.Itoa(i) + ".html"
	}
	used[name] = true
	return name
}

// esc writes s HTML-escaped (for text and for quoted attribute values).
func esc(b *bytes.Buffer, s string) { escape(b, s, true) }

// escText writes s escaped for a text node, where quotes are safe: source
// code is full of them.
func escText(b *bytes.Buffer, s string) { escape(b, s, false) }

func escape(b *bytes.Buffer, s string, quotes bool) {
	last := 0
	for i := 0; i < len(s); i++ {
		var rep string
		switch c := s[i]; c {
		case '&':
			rep = "&amp;"
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		case '"', '\'':
			if !quotes {
				continue
			}
			rep = "&#34;"
			if c == '\'' {
				rep = "&#39;"
			}
		case 0:
			rep = "\uFFFD"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(rep)
		last = i + 1
	}
	b.WriteString(s[last:])
}

func (o *Options) stamp() string {
	return o.Now.UTC().Format("2006-01-02 15:04 -0700")
}

func head(b *bytes.Buffer, o *Options, title, bodyClass string, attrs string) {
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
	esc(b, title)
	b.WriteString("</title>\n<link rel=\"stylesheet\" href=\"" + cssName + "\">\n")
	if o.ExtraCSS != "" {
		b.WriteString("<link rel=\"stylesheet\" href=\"" + extraName + "\">\n")
	}
	b.WriteString("<script src=\"" + jsName + "\" defer></script>\n</head>\n<body class=\"" + bodyClass + "\"" + attrs + ">\n")
}

func foot(b *bytes.Buffer, o *Options) {
	b.WriteString("<footer><p>Created by covkit at ")
	b.WriteString(o.stamp())
	b.WriteString("</p></footer>\n</body>\n</html>\n")
}

// indexRow is one row of an index page: a file, or a function or class of
// a file.
type indexRow struct {
	names  []string // the name cells: file, then region if any
	sortBy []string // their sort keys
	link   string   // target of the last name cell
	n      report.Numbers
}

// indexPage is the file index or a region (function, class) index.
type indexPage struct {
	name   string   // file name of the page
	noun   string   // "file", "function", "class"
	plural string   // "Files", ...
	cols   []string // headings of the name cells
	rows   []indexRow
	skip   [2]int // skipped as covered, as empty
	total  report.Numbers
}

func fileIndex(entries []*entry, total report.Numbers, o Options) *indexPage {
	p := &indexPage{name: indexName, noun: "file", plural: "Files", cols: []string{"File"}, total: total}
	for _, e := range entries {
		if e.page == "" {
			if o.SkipCovered && e.n.Missing == 0 && e.n.PartialBranches == 0 {
				p.skip[0]++
			} else {
				p.skip[1]++
			}
			continue
		}
		p.rows = append(p.rows, indexRow{names: []string{e.f.RelName}, sortBy: []string{e.f.RelName}, link: e.page, n: e.n})
	}
	return p
}

// writeIndex writes an index page; regions says which region indexes exist
// (for the links between index pages).
func writeIndex(b *bytes.Buffer, s *report.Set, p *indexPage, regions []*indexPage, o Options) {
	title := o.Title
	if p.noun != "file" {
		title += " (" + strings.ToLower(p.plural) + ")"
	}
	head(b, &o, title, "index", " data-precision=\""+strconv.Itoa(o.Precision)+"\"")
	writeIndexHeader(b, s, p, regions, &o)
	writeIndexTable(b, s, p)
	var skipped []string
	if p.skip[0] > 0 {
		skipped = append(skipped, plural(p.skip[0], p.noun)+" skipped due to complete coverage.")
	}
	if p.skip[1] > 0 {
		skipped = append(skipped, plural(p.skip[1], "empty "+p.noun)+" skipped.")
	}
	if len(skipped) > 0 {
		b.WriteString("<p class=\"skipped\">")
		b.WriteString(strings.Join(skipped, " "))
		b.WriteString("</p>\n")
	}
	b.WriteString("</main>\n")
	foot(b, &o)
}

// writeIndexHeader writes an index page's header: the tabs between index
// pages, the totals, the trend and the filter.
func writeIndexHeader(b *bytes.Buffer, s *report.Set, p *indexPage, regions []*indexPage, o *Options) {
	total := p.total
	b.WriteString("<header>\n")
	if len(regions) > 0 {
		b.WriteString("<nav class=\"tabs\">")
		for i, q := range append([]*indexPage{{name: indexName, plural: "Files"}}, regions...) {
			if i > 0 {
				b.WriteString(" · ")
			}
			if q.name == p.name {
				b.WriteString("<b>" + q.plural + "</b>")
			} else {
				b.WriteString("<a href=\"" + q.name + "\">" + q.plural + "</a>")
			}
		}
		b.WriteString("</nav>\n")
	}
	b.WriteString("<h1>")
	esc(b, o.Title)
	b.WriteString(": <span class=\"pc-cov\" id=\"total-pc\">")
	b.WriteString(total.PcCoveredStr())
	b.WriteString("%</span></h1>\n<p class=\"meta\">")
	if p.noun == "file" {
		fmt.Fprintf(b, "%d files · ", total.Files)
	}
	fmt.Fprintf(b, "%d statements · %d missing", total.Statements, total.Missing)
	if s.HasArcs {
		fmt.Fprintf(b, " · %d branches · %d partial", total.Branches, total.PartialBranches)
	}
	b.WriteString(" · created at ")
	b.WriteString(o.stamp())
	b.WriteString("</p>\n")
	if n := len(o.History); n >= 2 && p.noun == "file" {
		b.WriteString("<p class=\"meta\" id=\"change\">")
		esc(b, history.Change(o.History[n-2], o.History[n-1], o.Precision))
		b.WriteString("</p>\n")
		writeTrend(b, o.History, o.Precision)
	}
	fmt.Fprintf(b, "<div class=\"controls\"><input id=\"filter\" type=\"search\" placeholder=\"Filter %s…\" aria-label=\"Filter %s\"> <label><input type=\"checkbox\" id=\"hide-covered\"> hide covered</label> <span class=\"keys\">keys: <kbd>/</kbd> filter · <kbd>n</kbd> <kbd>s</kbd> <kbd>m</kbd> <kbd>b</kbd> <kbd>c</kbd> sort</span></div>\n</header>\n<main>\n",
		strings.ToLower(p.plural), strings.ToLower(p.plural))
}

// writeIndexTable writes an index page's table: a row per file or region,
// and the total.
func writeIndexTable(b *bytes.Buffer, s *report.Set, p *indexPage) {
	total := p.total
	b.WriteString("<table class=\"index\" id=\"files\">\n<thead><tr>")
	type col struct{ key, label, class string }
	var cols []col
	for i, c := range p.cols {
		key := "name"
		if i < len(p.cols)-1 {
			key = "file"
		}
		cols = append(cols, col{key, c, "name"})
	}
	cols = append(cols, col{"stmts", "statements", "num"}, col{"miss", "missing", "num"}, col{"excl", "excluded", "num"})
	if s.HasArcs {
		cols = append(cols, col{"branch", "branches", "num"}, col{"brpart", "partial", "num"})
	}
	cols = append(cols, col{"cover", "coverage", "num"})
	for i, c := range cols {
		fmt.Fprintf(b, "<th class=\"%s\" data-sort=\"%s\"", c.class, c.key)
		if i == 0 {
			b.WriteString(" aria-sort=\"ascending\"")
		}
		fmt.Fprintf(b, "><button type=\"button\">%s</button></th>", c.label)
	}
	b.WriteString("</tr></thead>\n<tbody>\n")
	for _, r := range p.rows {
		n := r.n
		fmt.Fprintf(b, "<tr data-n=\"%d %d %d %d %d %d\" data-filter=\"", n.Statements, n.Missing, n.Excluded, n.Branches, n.MissingBranches, n.PartialBranches)
		esc(b, strings.Join(r.names, " "))
		b.WriteString("\">")
		for i, name := range r.names {
			b.WriteString("<td class=\"name\" data-v=\"")
			esc(b, r.sortBy[i])
			b.WriteString("\">")
			if i == len(r.names)-1 {
				b.WriteString("<a href=\"")
				esc(b, r.link)
				b.WriteString("\">")
			}
			if name == "" {
				b.WriteString("<i>(no " + p.noun + ")</i>")
			} else {
				esc(b, name)
			}
			if i == len(r.names)-1 {
				b.WriteString("</a>")
			}
			b.WriteString("</td>")
		}
		numCells(b, s.HasArcs, n)
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody>\n<tfoot><tr class=\"total\"><td class=\"name\"")
	if len(p.cols) > 1 {
		fmt.Fprintf(b, " colspan=\"%d\"", len(p.cols))
	}
	b.WriteString(">Total</td>")
	numCells(b, s.HasArcs, total)
	fmt.Fprintf(b, "</tr></tfoot>\n</table>\n<p id=\"no-rows\" hidden>No %s match the filter.</p>\n", strings.ToLower(p.plural))
}

func plural(n int, s string) string {
	if n == 1 {
		return "1 " + s
	}
	return strconv.Itoa(n) + " " + s + "s"
}

func numCells(b *bytes.Buffer, arcs bool, n report.Numbers) {
	vals := []int{n.Statements, n.Missing, n.Excluded}
	if arcs {
		vals = append(vals, n.Branches, n.PartialBranches)
	}
	for _, v := range vals {
		fmt.Fprintf(b, "<td data-v=\"%d\">%d</td>", v, v)
	}
	pc := n.PcCovered()
	fmt.Fprintf(b, "<td class=\"pc\" data-v=\"%s\" style=\"--pc:%s%%\">%s%%</td>", strconv.FormatFloat(pc, 'g', 17, 64), strconv.FormatFloat(pc, 'f', 1, 64), n.PcCoveredStr())
}

// lineFacts are what a file page marks on each line.
type lineFacts struct {
	stmt, run, mis, exc map[int]bool
	// partial maps a partly executed branch line to its untaken exits
	// (negative: leaves the code object).
	partial map[int][]int
}

func facts(f *report.File, hasArcs bool) lineFacts {
	lf := lineFacts{stmt: set(f.Statements), run: set(f.Executed), exc: set(f.Excluded), mis: set(f.Missing()), partial: map[int][]int{}}
	if !hasArcs || f.Branch == nil {
		return lf
	}
	// The same arcs coverage.py's Analysis.missing_branch_arcs() gives.
	br := f.Branch
	exec := make(map[[2]int]bool, len(br.Executed))
	for _, a := range br.Executed {
		exec[a] = true
	}
	noBranch := set(br.NoBranch)
	for _, a := range br.Possible {
		if exec[a] || noBranch[a[0]] || lf.exc[a[1]] || br.ExitCounts[a[0]] < 2 || lf.mis[a[0]] {
			continue
		}
		lf.partial[a[0]] = append(lf.partial[a[0]], a[1])
	}
	for _, v := range lf.partial {
		sort.Ints(v)
	}
	return lf
}

func set(xs []int) map[int]bool {
	m := make(map[int]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

func writeFilePage(b *bytes.Buffer, s *report.Set, e *entry, prev, next *entry, o Options) {
	writeFileHeader(b, s, e, prev, next, &o)
	f := e.f
	lf := facts(f, s.HasArcs)
	var ctx map[int][]string
	var ctxs ctxTable
	if o.ShowContexts {
		ctx = lineContexts(f, o.Contexts)
	}
	src := f.Source
	hl := &highlighter{src: src, spans: highlight(src)}
	line := 0
	for off := 0; off < len(src); {
		line++
		end := strings.IndexByte(src[off:], '\n')
		if end < 0 {
			end = len(src)
		} else {
			end += off
		}
		cls := ""
		switch {
		case lf.exc[line]:
			cls = "exc"
		case lf.mis[line]:
			cls = "mis"
		case len(lf.partial[line]) > 0:
			cls = "par run"
		case lf.run[line]:
			cls = "run"
		}
		id := strconv.Itoa(line)
		b.WriteString("<div class=\"l")
		if cls != "" {
			b.WriteString(" " + cls)
		}
		b.WriteString("\" id=\"t" + id + "\"><a class=\"n\" href=\"#t" + id + "\">" + id + "</a><span class=\"t\">")
		hl.write(b, off, end)
		if end == off {
			b.WriteString("&nbsp;")
		}
		b.WriteString("</span>")
		if exits := lf.partial[line]; len(exits) > 0 {
			writePartial(b, line, exits)
		}
		if cs := ctx[line]; len(cs) > 0 && lf.run[line] {
			writeContexts(b, &ctxs, cs)
		}
		b.WriteString("</div>\n")
		off = end + 1
	}
	b.WriteString("</main>\n")
	ctxs.write(b)
	foot(b, &o)
}

// writeFileHeader writes a file page's head, navigation and legend.
func writeFileHeader(b *bytes.Buffer, s *report.Set, e *entry, prev, next *entry, o *Options) {
	f, n := e.f, e.n
	var nav strings.Builder
	if prev != nil {
		nav.WriteString(" data-prev=\"" + prev.page + "\"")
	}
	if next != nil {
		nav.WriteString(" data-next=\"" + next.page + "\"")
	}
	head(b, o, "Coverage for "+f.RelName+": "+n.PcCoveredStr()+"%", "pyfile", nav.String())
	b.WriteString("<header>\n<nav><a href=\"index.html\" id=\"up\">« index</a>")
	if prev != nil {
		b.WriteString(" <a href=\"" + prev.page + "\" id=\"prev-file\">‹ prev</a>")
	}
	if next != nil {
		b.WriteString(" <a href=\"" + next.page + "\" id=\"next-file\">next ›</a>")
	}
	b.WriteString("</nav>\n<h1>Coverage for <b>")
	esc(b, f.RelName)
	b.WriteString("</b>: <span class=\"pc-cov\">")
	b.WriteString(n.PcCoveredStr())
	b.WriteString("%</span></h1>\n<p class=\"legend\">")
	fmt.Fprintf(b, "<button type=\"button\" class=\"run on\" data-show=\"run\">%d run</button> ", n.Executed())
	fmt.Fprintf(b, "<button type=\"button\" class=\"mis on\" data-show=\"mis\">%d missing</button> ", n.Missing)
	fmt.Fprintf(b, "<button type=\"button\" class=\"exc on\" data-show=\"exc\">%d excluded</button>", n.Excluded)
	if s.HasArcs {
		fmt.Fprintf(b, " <button type=\"button\" class=\"par on\" data-show=\"par\">%d partial</button>", n.PartialBranches)
	}
	fmt.Fprintf(b, " <span class=\"meta\">%d statements", n.Statements)
	if s.HasArcs {
		fmt.Fprintf(b, " · %d branches", n.Branches)
	}
	b.WriteString("</span> <button type=\"button\" id=\"next-missing\" title=\"next missing line (j)\">next missing ↓</button> <span class=\"keys\">keys: <kbd>j</kbd>/<kbd>k</kbd> next/prev missing · <kbd>n</kbd>/<kbd>p</kbd> file · <kbd>u</kbd> index</span></p>\n</header>\n<main id=\"source\">\n")
}

// highlighter writes a source text line by line with its coloured spans.
type highlighter struct {
	src   string
	spans []span
	si    int // the first span that may not have ended yet
}

// write writes src[off:end], one line, escaped; coloured spans may run
// over several lines (strings): they are cut at line ends.
func (h *highlighter) write(b *bytes.Buffer, off, end int) {
	src, spans := h.src, h.spans
	for pos := off; pos < end; {
		for h.si < len(spans) && spans[h.si].end <= pos {
			h.si++
		}
		if h.si == len(spans) || spans[h.si].start >= end {
			escText(b, src[pos:end])
			return
		}
		sp := spans[h.si]
		if sp.start > pos {
			escText(b, src[pos:sp.start])
			pos = sp.start
		}
		stop := min(sp.end, end)
		b.WriteString("<span class=\"" + sp.cls + "\">")
		escText(b, src[pos:stop])
		b.WriteString("</span>")
		pos = stop
	}
}

// writePartial writes the annotation of a partial branch line: the exits
// not taken.
func writePartial(b *bytes.Buffer, line int, exits []int) {
	b.WriteString("<span class=\"r\" title=\"")
	for i, x := range exits {
		if i > 0 {
			b.WriteString("; ")
		}
		if x < 0 {
			fmt.Fprintf(b, "line %d didn&#39;t return from the function", line)
		} else {
			fmt.Fprintf(b, "line %d didn&#39;t jump to line %d", line, x)
		}
	}
	b.WriteString("\">")
	for i, x := range exits {
		if i > 0 {
			b.WriteString(", ")
		}
		if x < 0 {
			fmt.Fprintf(b, "%d&nbsp;↛&nbsp;exit", line)
		} else {
			fmt.Fprintf(b, "%d&nbsp;↛&nbsp;%d", line, x)
		}
	}
	b.WriteString("</span>")
}

// ctxTable numbers a page's contexts and context sets: a line shows its
// set by number, and the page carries each name and set once (as JSON the
// script expands when a line's list is opened), so that thousands of
// per-test contexts do not repeat on every line.
type ctxTable struct {
	Names  []string `json:"names"`
	Sets   [][]int  `json:"sets"`
	names  map[string]int
	setIDs map[string]int
}

func (t *ctxTable) id(cs []string) int {
	if t.names == nil {
		t.names, t.setIDs = map[string]int{}, map[string]int{}
	}
	key := strings.Join(cs, "\x00")
	if id, ok := t.setIDs[key]; ok {
		return id
	}
	set := make([]int, len(cs))
	for i, c := range cs {
		n, ok := t.names[c]
		if !ok {
			n = len(t.Names)
			t.names[c] = n
			t.Names = append(t.Names, c)
		}
		set[i] = n
	}
	id := len(t.Sets)
	t.setIDs[key] = id
	t.Sets = append(t.Sets, set)
	return id
}

func writeContexts(b *bytes.Buffer, t *ctxTable, cs []string) {
	fmt.Fprintf(b, "<details class=\"ctx\" data-c=\"%d\"><summary>%s</summary></details>", t.id(cs), plural(len(cs), "context"))
}

// write writes the table as JSON in a data block; encoding/json
// escapes <, > and &, so no name can end the block.
func (t *ctxTable) write(b *bytes.Buffer) {
	if len(t.Sets) == 0 {
		return
	}
	data, err := json.Marshal(t)
	if err != nil {
		panic(err) // strings and ints only
	}
	b.WriteString("<script type=\"application/json\" id=\"contexts\">")
	b.Write(data)
	b.WriteString("</script>\n")
}

// lineContexts is the file's line -> contexts map: from contexts when
// given, else from the report model.
func lineContexts(f *report.File, contexts func(*report.File) map[int][]string) map[int][]string {
	if contexts != nil {
		return contexts(f)
	}
	if len(f.Contexts) == 0 {
		return nil
	}
	m := make(map[int][]string, len(f.Contexts))
	for _, lc := range f.Contexts {
		m[lc.Line] = lc.Contexts
	}
	return m
}
