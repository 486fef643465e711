// Package analysis is the model between measurement and report: it joins
// coverage data (package sqlitecov), Python source analysis (packages
// pysource and pyarcs) and the report settings into per-file results
// (report.File), the way coverage.py's get_analysis_to_report,
// PythonFileReporter and results.Analysis do. It writes no report and reads
// no flags: package reporting does.
package analysis

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/covkit/covkit/pathmap"
	"github.com/covkit/covkit/releases"
	"github.com/covkit/covkit/report"
	"github.com/covkit/covkit/sqlitecov"
	"github.com/dlclark/regexp2"
)

// Parsed is what a Python source analyzer tells about one file.
type Parsed struct {
	Statements []int // sorted
	Excluded   []int // sorted
	Regions    []report.Region
	// Text is the decoded source (coverage.py's get_python_source); ""
	// means decode the file with PythonSource.
	Text string
	// FirstLine maps a line of a multi-line statement to its first line.
	FirstLine func(int) int
	// Branches, when the analyzer knows arcs, turns the executed arcs of
	// the data into the file's branch facts. Nil means branch figures
	// cannot be computed yet (reports then show line figures only).
	Branches func(executedArcs [][2]int) *report.Branches
}

// NotPythonError is returned by an Analyzer when the file does not parse as
// Python (coverage.py's NotPython).
type NotPythonError struct{ Msg string }

func (e *NotPythonError) Error() string { return e.Msg }

// Analyzer analyses one source file as target t says, with the [report]
// regex lists final for t's coverage.py release.
type Analyzer func(filename string, src []byte, t Target, rx releases.Regexes) (*Parsed, error)

// Target is what a file is analysed as: the CPython that compiled it and
// the coverage.py release whose rules count its statements, exclusions and
// branches. Zero fields mean the newest (releases.LatestPython,
// releases.LatestCoverage).
type Target struct {
	Python, Coverage releases.Version
}

// Options say how to turn data into results.
type Options struct {
	// Dir is the directory coverage.py would run in (relative names,
	// relative patterns); "" is the process's working directory.
	Dir string
	// Include and Omit are the [report] include/omit patterns.
	Include, Omit []string
	// Regexes are the [report] regex options as configured; each file gets
	// them resolved for its target's coverage.py release.
	Regexes releases.Configured
	// Versions say how to find what each file is analysed as (see
	// Versions); nil analyses everything as Target.
	Versions *Versions
	// Target is what files are analysed as without Versions.
	Target        Target
	IgnoreErrors  bool
	RelativeFiles bool
	// Contexts are [report] contexts: regexes (Python re.search) selecting
	// the measurement contexts whose data is reported; nil is all.
	Contexts []string
	// ShowContexts collects each file's per-line contexts (JSON
	// show_contexts).
	ShowContexts bool
	// Source is [run] source, used for the XML <sources>.
	Source []string
	// Paths are the [paths] rules; data is remapped through them first.
	Paths []pathmap.Rule
	// Analyzer parses Python; required.
	Analyzer Analyzer
	// Warn receives warnings (without the "warning: " prefix).
	Warn func(msg string)
	// ReadFile reads a source file; nil is os.ReadFile.
	ReadFile func(string) ([]byte, error)
}

// Result is the report model plus the settings derived from the data.
type Result struct {
	Set *report.Set
	// SourcePaths are the [run] source entries that exist, as the XML
	// report lists them.
	SourcePaths []string
	// BranchData says the data measured branches (arcs); Set.HasArcs tells
	// whether branch figures are reported.
	BranchData bool
	Cwd        string
	// Measured says what the files were analysed as.
	Measured Measured
}

// NoSourceError is coverage.py's "No source for code" error.
type NoSourceError struct{ Path string }

func (e *NoSourceError) Error() string { return fmt.Sprintf("No source for code: '%s'.", e.Path) }

// A Builder analyses one set of measured data under the options given: the
// report layers build from data they never read themselves.
type Builder func(Options) (*Result, error)

// BuilderFor is Build over d.
func BuilderFor(d *sqlitecov.Data) Builder {
	return func(o Options) (*Result, error) { return Build(d, o) }
}

// Build analyses every file of d that the report covers.
func Build(d *sqlitecov.Data, o Options) (*Result, error) {
	if o.Analyzer == nil {
		return nil, errors.New("analysis: no Python analyzer")
	}
	b, err := newBuilder(o)
	if err != nil {
		return nil, err
	}
	if d, err = b.selectData(d); err != nil {
		return nil, err
	}
	target := func(string) Target { return o.Target }
	measured := Measured{Targets: []Target{o.Target}}
	if o.Versions != nil {
		if target, measured, err = resolveTargets(d, *o.Versions, b.warn); err != nil {
			return nil, err
		}
	}
	morfs, err := b.reportedFiles(d)
	if err != nil {
		return nil, err
	}
	res := &Result{Set: &report.Set{}, BranchData: d.HasArcs, Cwd: b.cwd, Measured: measured}
	outcomes := parallel(len(morfs), func(i int) outcome {
		return b.analyse(d, morfs[i], target(morfs[i].dataPath))
	})
	// Results, warnings and the first error are taken in file order, as
	// coverage.py meets them.
	for _, oc := range outcomes {
		switch {
		case oc.err != nil:
			return nil, oc.err
		case oc.warn != "":
			b.warn(oc.warn)
		case oc.file != nil:
			res.Set.Files = append(res.Set.Files, oc.file)
		}
	}
	if d.HasArcs {
		res.Set.HasArcs = allHaveBranches(res.Set.Files)
		if !res.Set.HasArcs {
			b.warn("the data has branch (arc) measurements, but branch figures are not reported yet: the reports show line coverage only")
		}
	}
	res.SourcePaths = b.sourcePaths()
	return res, nil
}

// builder holds what Build works with: the options, completed.
type builder struct {
	o        Options
	warn     func(string)
	readFile func(string) ([]byte, error)
	cwd      string // absolute
	relDir   string // cwd with symlinks resolved and a final "/"
}

func newBuilder(o Options) (*builder, error) {
	b := &builder{o: o, warn: o.Warn, readFile: o.ReadFile, cwd: o.Dir}
	if b.warn == nil {
		b.warn = func(string) {}
	}
	if b.readFile == nil {
		b.readFile = os.ReadFile
	}
	if b.cwd == "" {
		var err error
		if b.cwd, err = os.Getwd(); err != nil {
			return nil, err
		}
	} else if !filepath.IsAbs(b.cwd) {
		abs, err := filepath.Abs(b.cwd)
		if err != nil {
			return nil, err
		}
		b.cwd = abs
	}
	b.relDir = realpath(b.cwd)
	if !strings.HasSuffix(b.relDir, "/") {
		b.relDir += "/"
	}
	return b, nil
}

// selectData is the data the report reads: remapped through [paths], then
// reduced to the [report] contexts.
func (b *builder) selectData(d *sqlitecov.Data) (*sqlitecov.Data, error) {
	if len(b.o.Paths) > 0 {
		m, err := pathmap.Compile(b.o.Paths, pathmap.Options{RelativeFiles: b.o.RelativeFiles, Dir: b.cwd})
		if err != nil {
			return nil, err
		}
		mapped := sqlitecov.NewData()
		if err := mapped.Update(d, func(p string) string { s, _ := m.Map(p); return s }); err != nil {
			return nil, err
		}
		d = mapped
	}
	if len(b.o.Contexts) > 0 {
		return selectContexts(d, b.o.Contexts)
	}
	return d, nil
}

// morf is one measured file the report covers (coverage.py's morf and its
// file reporter).
type morf struct {
	dataPath string
	filename string // fr.filename
	relname  string
	// key is the name coverage.py reads the file's data under: the file
	// reporter's filename (canonical, or relative with relative_files),
	// not the data path, so that a data path that is relative, has "..",
	// or names a .pyc, finds no data (0%).
	key string
}

// reportedFiles lists the files of d that [report] include and omit keep,
// sorted by file name; report.ErrNoData when there are none.
func (b *builder) reportedFiles(d *sqlitecov.Data) ([]morf, error) {
	var include, omit *pathmap.GlobMatcher
	var err error
	if len(b.o.Include) > 0 {
		if include, err = pathmap.NewGlobMatcher(b.o.Include, b.cwd); err != nil {
			return nil, err
		}
	}
	if len(b.o.Omit) > 0 {
		if omit, err = pathmap.NewGlobMatcher(b.o.Omit, b.cwd); err != nil {
			return nil, err
		}
	}
	var morfs []morf
	for _, p := range d.Paths() {
		src := sourceForFile(p)
		fn := src
		if !b.o.RelativeFiles {
			fn = canonicalFilename(src, b.cwd)
		}
		rel := src
		if strings.HasPrefix(src, b.relDir) {
			rel = src[len(b.relDir):]
		}
		if include != nil && !include.Match(fn) || omit != nil && omit.Match(fn) {
			continue
		}
		key := fn
		if b.o.RelativeFiles {
			key = rel
		}
		morfs = append(morfs, morf{p, fn, rel, key})
	}
	if len(morfs) == 0 {
		return nil, report.ErrNoData
	}
	sort.SliceStable(morfs, func(i, j int) bool { return morfs[i].filename < morfs[j].filename })
	return morfs, nil
}

// outcome is what analysing one file gave: a result, a warning (the file
// is left out) or an error.
type outcome struct {
	file *report.File
	warn string
	err  error
}

// parallel runs fn for 0..n-1 on every CPU and returns the outcomes in
// order.
func parallel(n int, fn func(i int) outcome) []outcome {
	outcomes := make([]outcome, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				outcomes[i] = fn(i)
			}
		})
	}
	wg.Wait()
	return outcomes
}

// analyse reads and analyses one file as t and joins its data.
func (b *builder) analyse(d *sqlitecov.Data, m morf, t Target) outcome {
	path := m.filename
	if !filepath.IsAbs(path) {
		path = filepath.Join(b.cwd, path)
	}
	raw, err := b.readFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			err = &NoSourceError{Path: m.filename}
		}
		if b.o.IgnoreErrors {
			return outcome{warn: fmt.Sprintf("Couldn't parse '%s': %v", m.filename, err)}
		}
		return outcome{err: err}
	}
	p, err := b.o.Analyzer(m.filename, raw, t, releases.CoverageRules(t.Coverage).Regexes(b.o.Regexes))
	if err != nil {
		return b.parseFailure(m.filename, err)
	}
	f := &report.File{
		Filename:   m.filename,
		RelName:    m.relname,
		Statements: p.Statements,
		Excluded:   p.Excluded,
		Regions:    p.Regions,
		Source:     p.Text,
	}
	if f.Source == "" {
		f.Source = PythonSource(raw)
	}
	df := d.Files[m.key]
	if df == nil {
		df = &sqlitecov.File{Path: m.key}
	}
	f.Executed = executedLines(df.AllLines(), p)
	if d.HasArcs && p.Branches != nil {
		if f.Branch, err = safeBranches(p.Branches, df.AllArcs()); err != nil {
			return outcome{err: fmt.Errorf("%s: branch analysis: %w", m.filename, err)}
		}
	}
	if b.o.ShowContexts {
		f.Contexts = lineContexts(df)
	}
	return outcome{file: f}
}

// parseFailure is what coverage.py does with a file its parser refuses.
func (b *builder) parseFailure(filename string, err error) outcome {
	var np *NotPythonError
	switch {
	case errors.As(err, &np) && !shouldBePython(filename):
		return outcome{}
	case errors.As(err, &np) && b.o.IgnoreErrors:
		return outcome{warn: fmt.Sprintf("Couldn't parse Python file '%s'", filename)}
	case b.o.IgnoreErrors:
		return outcome{warn: strings.TrimRight(fmt.Sprintf("Couldn't parse '%s': %v", filename, err), " \t\n")}
	case errors.As(err, &np):
		return outcome{err: err}
	default: // an unknown encoding, a bad regex: name the file
		return outcome{err: fmt.Errorf("couldn't parse '%s': %w", filename, err)}
	}
}

// allHaveBranches says every file has branch facts.
func allHaveBranches(files []*report.File) bool {
	for _, f := range files {
		if f.Branch == nil {
			return false
		}
	}
	return true
}

// sourcePaths are the [run] source entries that exist, as the XML report
// lists them.
func (b *builder) sourcePaths() []string {
	var out []string
	for _, s := range b.o.Source {
		sp := s
		if !filepath.IsAbs(sp) {
			sp = filepath.Join(b.cwd, sp)
		}
		if _, err := os.Stat(sp); err != nil {
			continue
		}
		if b.o.RelativeFiles {
			out = append(out, strings.TrimRight(s, `\/`))
		} else {
			out = append(out, canonicalFilename(s, b.cwd))
		}
	}
	return out
}

// executedLines is translate_lines(data lines) & statements.
func executedLines(lines []int, p *Parsed) []int {
	stmts := make(map[int]bool, len(p.Statements))
	for _, s := range p.Statements {
		stmts[s] = true
	}
	seen := map[int]bool{}
	var out []int
	for _, l := range lines {
		if p.FirstLine != nil {
			l = p.FirstLine(l)
		}
		if stmts[l] && !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	sort.Ints(out)
	return out
}

// sourceForFile is coverage.py's source_for_file: a .pyc/.pyo names its .py.
func sourceForFile(p string) string {
	if strings.HasSuffix(p, ".py") {
		return p
	}
	if strings.HasSuffix(p, ".pyc") || strings.HasSuffix(p, ".pyo") {
		return p[:len(p)-1]
	}
	return p
}

// shouldBePython: files named *.py* or with no extension should parse.
func shouldBePython(p string) bool {
	ext := filepath.Ext(p)
	if strings.HasPrefix(filepath.Base(p), ".") && strings.Count(filepath.Base(p), ".") == 1 {
		ext = ""
	}
	return ext == "" || strings.HasPrefix(ext, ".py")
}

// canonicalFilename is coverage.py's canonical_filename for POSIX: an
// absolute path, symlinks resolved, relative names found against the working
// directory.
func canonicalFilename(p, cwd string) string {
	if !filepath.IsAbs(p) {
		p = filepath.Join(cwd, p)
	}
	return realpath(p)
}

// realpath resolves symlinks like Python's os.path.realpath (non-strict):
// components that do not exist are kept as they are.
func realpath(p string) string {
	p = filepath.Clean(p)
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	dir, base := filepath.Split(p)
	if dir == "" || dir == p {
		return p
	}
	return filepath.Join(realpath(strings.TrimSuffix(dir, "/")), base)
}

// safeBranches runs a branch analysis, turning a panic into an error: one
// odd file must not take the whole report down without a word.
func safeBranches(fn func([][2]int) *report.Branches, arcs [][2]int) (b *report.Branches, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error: %v", r)
		}
	}()
	return fn(arcs), nil
}

// lineContexts is coverage.py's contexts_by_lineno: lines in the order
// they are met reading the data rows (contexts in name order, which is
// their usual creation order, lines ascending), each with its contexts
// (sorted; coverage.py's order is that of a Python set).
func lineContexts(df *sqlitecov.File) []report.LineContexts {
	byLine := map[int][]string{}
	var order []int
	add := func(l int, ctx string) {
		cs, seen := byLine[l]
		if !seen {
			order = append(order, l)
		}
		if !slices.Contains(cs, ctx) {
			byLine[l] = append(cs, ctx)
		}
	}
	if df.Arcs != nil {
		for _, ctx := range slices.Sorted(maps.Keys(df.Arcs)) {
			for _, a := range df.Arcs[ctx] {
				if a[0] > 0 {
					add(a[0], ctx)
				}
				if a[1] > 0 {
					add(a[1], ctx)
				}
			}
		}
	} else {
		for _, ctx := range slices.Sorted(maps.Keys(df.Lines)) {
			for _, l := range df.Lines[ctx] {
				add(l, ctx)
			}
		}
	}
	out := make([]report.LineContexts, len(order))
	for i, l := range order {
		cs := byLine[l]
		slices.Sort(cs)
		out[i] = report.LineContexts{Line: l, Contexts: cs}
	}
	return out
}

// selectContexts keeps the data of the contexts one of the regexes finds
// (coverage.py's set_query_contexts); every file stays measured.
func selectContexts(d *sqlitecov.Data, regexes []string) (*sqlitecov.Data, error) {
	res := make([]*regexp2.Regexp, len(regexes))
	for i, r := range regexes {
		re, err := regexp2.Compile(r, regexp2.None)
		if err != nil {
			return nil, fmt.Errorf("context regex %q: %w", r, err)
		}
		res[i] = re
	}
	keep := map[string]bool{}
	match := func(ctx string) bool {
		k, ok := keep[ctx]
		if !ok {
			for _, re := range res {
				if m, _ := re.MatchString(ctx); m {
					k = true
					break
				}
			}
			keep[ctx] = k
		}
		return k
	}
	out := &sqlitecov.Data{HasArcs: d.HasArcs, HasLines: d.HasLines, Meta: d.Meta, Files: make(map[string]*sqlitecov.File, len(d.Files))}
	for _, c := range d.Contexts {
		if match(c) {
			out.Contexts = append(out.Contexts, c)
		}
	}
	for p, f := range d.Files {
		nf := &sqlitecov.File{Path: f.Path, Tracer: f.Tracer}
		if f.Lines != nil {
			nf.Lines = map[string][]int{}
			for ctx, ls := range f.Lines {
				if match(ctx) {
					nf.Lines[ctx] = ls
				}
			}
		}
		if f.Arcs != nil {
			nf.Arcs = map[string][][2]int{}
			for ctx, as := range f.Arcs {
				if match(ctx) {
					nf.Arcs[ctx] = as
				}
			}
		}
		out.Files[p] = nf
	}
	return out, nil
}
