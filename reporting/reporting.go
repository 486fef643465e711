// Package reporting writes the reports a command asks for: it reads the
// report flags and settings, has package analysis build the per-file
// results, renders them with the writers of packages report and
// report/html, keeps the history, and applies --fail-under. cmd/covreport
// and covrun's lifecycle use it; package analysis knows nothing of it.
package reporting

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/covkit/covkit/analysis"
	"github.com/covkit/covkit/history"
	"github.com/covkit/covkit/internal/cli"
	"github.com/covkit/covkit/internal/outfile"
	"github.com/covkit/covkit/releases"
	"github.com/covkit/covkit/report"
	"github.com/covkit/covkit/report/html"
)

// Env is what writing reports needs from the outside world.
type Env struct {
	Dir            string // working directory; "" is the process's
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string // nil: no environment
	// Environ is the environment whose PATH is searched for interpreters
	// when the data does not say which versions measured it; nil is the
	// process's.
	Environ []string
	Now     func() time.Time // nil: time.Now
	// StepSummary is a file to which the markdown table is appended, under
	// the report's title (a CI job summary, GitHub's $GITHUB_STEP_SUMMARY);
	// "" for none. Failing to append is a warning, not an error.
	StepSummary string
}

// now returns the report time stamp: SOURCE_DATE_EPOCH when set, so that
// reports are reproducible, else the current time.
func (e *Env) now() time.Time {
	if e.Getenv != nil {
		if s := e.Getenv("SOURCE_DATE_EPOCH"); s != "" {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				return time.Unix(n, 0)
			}
		}
	}
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// Outcome is what writing the reports found.
type Outcome struct {
	Total float64 // the total percentage
	// FailedUnder says the total is under --fail-under: the caller fails
	// (coverage.py exits 2); the failure is already printed on stdout.
	FailedUnder bool
}

// WriteReports analyses the data build is over and writes the reports the flags ask for, each
// atomically, then applies --fail-under.
func WriteReports(data analysis.Builder, f *Flags, s Settings, analyzer analysis.Analyzer, env Env) (Outcome, error) {
	f.Apply(&s)
	if s.Precision < 0 {
		return Outcome{}, fmt.Errorf("precision=%d is invalid. Must not be negative.", s.Precision)
	}
	wanted, err := f.Wanted(&s)
	if err != nil {
		return Outcome{}, cli.UsageError("%v", err)
	}
	res, resAll, err := build(data, f, s, analyzer, env, wanted)
	if err != nil {
		return Outcome{}, err
	}
	opts := reportOptions(s, res, env)
	if env.StepSummary != "" {
		wanted = append(wanted, Output{"summary", env.StepSummary})
	}
	// Render everything first: an error leaves no output file behind.
	all, total, err := render(wanted, res, resAll, opts, s.HTMLTitle)
	if err != nil {
		return Outcome{}, err
	}
	var hist []history.Record
	change := ""
	if f.History != "" {
		hist, change, err = history.Track(f.History, res.Set, opts.Now, env.Dir, s.Precision, func(format string, args ...any) { cli.Warnf(env.Stderr, format, args...) })
		if err != nil {
			return Outcome{}, err
		}
	}
	if err := writeFiles(all, env.Stdout); err != nil {
		return Outcome{}, err
	}
	for _, r := range all {
		switch {
		case r.out.Kind == "html":
			if err := writeHTML(r.out.Path, res, s, hist, opts.Now); err != nil {
				return Outcome{}, err
			}
			if !f.Quiet {
				fmt.Fprintf(env.Stderr, "Wrote HTML report to %s\n", filepath.Join(r.out.Path, "index.html"))
			}
		case r.out.Kind == "summary":
			// Written last, with the verdict of --fail-under.
		case r.out.Kind == "text" || r.out.Path == "-":
			if _, err := env.Stdout.Write(r.data); err != nil {
				return Outcome{}, err
			}
			if r.out.Kind == "text" && change != "" {
				fmt.Fprintln(env.Stdout, change)
			}
		case !f.Quiet:
			fmt.Fprintf(env.Stderr, "Wrote %s report to %s\n", kindNames[r.out.Kind], r.out.Path)
		}
	}
	return failUnder(total, s, all, env)
}

// build analyses the data for the reports wanted: res for those that honour
// [report] contexts, resAll (all the data) for XML and LCOV, which do not
// in coverage.py; they are one result without contexts.
func build(data analysis.Builder, f *Flags, s Settings, analyzer analysis.Analyzer, env Env, wanted []Output) (res, resAll *analysis.Result, err error) {
	var warnMu sync.Mutex
	warned := map[string]bool{}
	warn := func(msg string) {
		warnMu.Lock()
		defer warnMu.Unlock()
		if !warned[msg] {
			warned[msg] = true
			cli.Warnf(env.Stderr, "%s", msg)
		}
	}
	bo := analysis.Options{
		Dir:           env.Dir,
		Include:       s.Include,
		Omit:          s.Omit,
		Contexts:      s.Contexts,
		Regexes:       s.Regexes,
		Versions:      &analysis.Versions{Python: f.PythonVersion, Coverage: f.CoverageVersion, Interpreters: analysis.ProbeInterpreters(environ(env.Environ))},
		IgnoreErrors:  s.IgnoreErrors,
		RelativeFiles: s.RelativeFiles,
		Source:        s.Source,
		// Per-line contexts, for JSON's show_contexts and the HTML
		// report's show_contexts.
		ShowContexts: s.ShowContexts && wantsKind(wanted, "json") ||
			s.HTMLShowContexts && wantsKind(wanted, "html"),
		Paths:    s.Paths,
		Analyzer: analyzer,
		Warn:     warn,
	}
	if len(s.Contexts) > 0 && (wantsKind(wanted, "xml") || wantsKind(wanted, "lcov")) {
		bo.Analyzer = memoAnalyzer(analyzer) // the parsing is shared
		all := bo
		all.Contexts = nil
		if resAll, err = data(all); err != nil {
			return nil, nil, err
		}
	}
	if res, err = data(bo); err != nil {
		return nil, nil, err
	}
	if resAll == nil {
		resAll = res
	}
	return res, resAll, nil
}

// reportOptions are the writers' options from the settings and the result.
func reportOptions(s Settings, res *analysis.Result, env Env) *report.Options {
	return &report.Options{
		Precision:     s.Precision,
		ShowMissing:   s.ShowMissing,
		SkipCovered:   s.SkipCovered,
		SkipEmpty:     s.SkipEmpty,
		Sort:          s.Sort,
		Format:        s.Format,
		SourcePaths:   res.SourcePaths,
		RelativeFiles: s.RelativeFiles,
		PackageDepth:  s.PackageDepth,
		Cwd:           res.Cwd,
		LineChecksums: s.LineChecksums,
		PrettyPrint:   s.PrettyPrint,
		ShowContexts:  s.ShowContexts,
		Now:           env.now(),
		Version:       reportVersion(res.Measured),
		MeasuredBy:    res.Measured.By,
	}
}

// rendered is one report, rendered in memory.
type rendered struct {
	out  Output
	data []byte
}

// kindNames name the reports written to files in messages.
var kindNames = map[string]string{"xml": "XML", "lcov": "LCOV", "json": "JSON"}

// render renders the reports side by side, on figures computed once
// beforehand, and returns them with the total of the first.
func render(wanted []Output, res, resAll *analysis.Result, opts *report.Options, title string) ([]rendered, float64, error) {
	res.Set.Prepare(opts.Precision)
	if resAll != res {
		resAll.Set.Prepare(opts.Precision)
	}
	all := make([]rendered, len(wanted))
	totals := make([]float64, len(wanted))
	errs := make([]error, len(wanted))
	var wg sync.WaitGroup
	for i, o := range wanted {
		wg.Go(func() {
			var buf bytes.Buffer
			switch o.Kind {
			case "text":
				totals[i], errs[i] = report.WriteText(&buf, res.Set, opts)
			case "xml":
				totals[i], errs[i] = report.WriteXML(&buf, resAll.Set, opts)
			case "lcov":
				totals[i], errs[i] = report.WriteLCOV(&buf, resAll.Set, opts)
			case "json":
				totals[i], errs[i] = report.WriteJSON(&buf, res.Set, opts)
			case "summary":
				md := *opts
				md.Format = "markdown"
				fmt.Fprintf(&buf, "### %s\n\n", title)
				totals[i], errs[i] = report.WriteText(&buf, res.Set, &md)
			case "html": // a directory, written after the files
				totals[i] = res.Set.Total(opts.Precision).PcCovered()
			}
			all[i] = rendered{o, buf.Bytes()}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, 0, err
		}
	}
	return all, totals[0], nil
}

// writeFiles writes the reports that go to files, all or none: every
// output file is opened first, so that one that cannot be written stops
// the run before any other report appears, and the ones that landed are
// taken back when another fails to commit.
func writeFiles(all []rendered, stdout io.Writer) error {
	outs := make([]*cli.Output, len(all))
	abort := func() {
		for _, o := range outs {
			if o != nil {
				o.Abort()
			}
		}
	}
	for i, r := range all {
		if r.out.Kind == "text" || r.out.Kind == "html" || r.out.Kind == "summary" || r.out.Path == "-" {
			continue
		}
		if st, err := os.Stat(r.out.Path); err == nil && st.IsDir() {
			abort()
			return fmt.Errorf("%s report: %s is a directory", kindNames[r.out.Kind], r.out.Path)
		}
		o, err := cli.CreateOutput(r.out.Path, stdout)
		if err != nil {
			abort()
			return fmt.Errorf("%s report: %w", kindNames[r.out.Kind], err)
		}
		outs[i] = o
	}
	for i, r := range all {
		if outs[i] == nil {
			continue
		}
		if _, err := outs[i].Write(r.data); err != nil {
			abort()
			return fmt.Errorf("%s report: %w", kindNames[r.out.Kind], err)
		}
	}
	// Commits sync to disk: do them side by side.
	cerrs := make([]error, len(all))
	var wg sync.WaitGroup
	for i := range all {
		if outs[i] == nil {
			continue
		}
		wg.Go(func() { cerrs[i] = outs[i].Commit() })
	}
	wg.Wait()
	for i, err := range cerrs {
		if err != nil {
			// Take back the reports that did land, unless that would
			// remove an older file of the same name.
			for j := range all {
				if outs[j] != nil && cerrs[j] == nil {
					outs[j].Undo()
				}
			}
			return fmt.Errorf("%s report: %w", kindNames[all[i].out.Kind], err)
		}
	}
	return nil
}

// failUnder applies --fail-under to the total: the failure goes to stdout
// (as coverage.py prints it) and, with the table, to the job summary.
func failUnder(total float64, s Settings, all []rendered, env Env) (Outcome, error) {
	fail, err := report.ShouldFailUnder(total, s.FailUnder, s.Precision)
	if err != nil {
		return Outcome{Total: total}, err
	}
	failure := ""
	if fail {
		failure = "Coverage failure: " + report.FailUnderMessage(total, s.FailUnder, s.Precision)
	}
	if r := all[len(all)-1]; r.out.Kind == "summary" {
		appendSummary(r.out.Path, r.data, failure, env.Stderr)
	}
	if fail {
		fmt.Fprintln(env.Stdout, failure)
	}
	return Outcome{Total: total, FailedUnder: fail}, nil
}

// appendSummary adds the markdown table (and a --fail-under failure) to a
// CI job summary. The file is appended to, never replaced: other steps
// write there too.
func appendSummary(path string, table []byte, failure string, stderr io.Writer) {
	b := slices.Clone(table)
	if failure != "" {
		b = append(b, "\n**"+failure+"**\n"...)
	}
	b = append(b, '\n')
	if err := outfile.Append(path, b); err != nil {
		cli.Warnf(stderr, "job summary: %v", err)
	}
}

// reportVersion is the coverage.py version the reports name (XML version,
// JSON meta.version): the one that measured the data, the newest when
// several did; covkit's format version when the data does not say.
func reportVersion(m analysis.Measured) string {
	if len(m.Coverage) > 0 {
		return m.Coverage[0]
	}
	return ""
}

func environ(env []string) []string {
	if env == nil {
		return os.Environ()
	}
	return env
}

func wantsKind(outs []Output, kind string) bool {
	for _, o := range outs {
		if o.Kind == kind {
			return true
		}
	}
	return false
}

// memoAnalyzer analyses each file once, however many builds ask.
func memoAnalyzer(a analysis.Analyzer) analysis.Analyzer {
	type result struct {
		p   *analysis.Parsed
		err error
	}
	var mu sync.Mutex
	memo := map[string]*result{}
	return func(filename string, src []byte, t analysis.Target, rx releases.Regexes) (*analysis.Parsed, error) {
		key := fmt.Sprint(filename, t)
		mu.Lock()
		r, ok := memo[key]
		mu.Unlock()
		if ok {
			return r.p, r.err
		}
		p, err := a(filename, src, t, rx)
		mu.Lock()
		memo[key] = &result{p, err}
		mu.Unlock()
		return p, err
	}
}

// writeHTML writes the HTML report (package report/html) with the [html]
// settings; the history, if kept, gives the trend.
func writeHTML(dir string, res *analysis.Result, s Settings, hist []history.Record, now time.Time) error {
	o := html.Options{
		Title:        s.HTMLTitle,
		Precision:    s.Precision,
		SkipCovered:  s.SkipCovered,
		SkipEmpty:    s.SkipEmpty,
		ShowContexts: s.HTMLShowContexts,
		ExtraCSS:     s.HTMLExtraCSS,
		History:      hist,
		Now:          now,
	}
	if s.HTMLSkipCovered != nil {
		o.SkipCovered = *s.HTMLSkipCovered
	}
	if s.HTMLSkipEmpty != nil {
		o.SkipEmpty = *s.HTMLSkipEmpty
	}
	return html.Write(dir, res.Set, o)
}
