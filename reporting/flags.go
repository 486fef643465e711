package reporting

import (
	"fmt"

	"github.com/covkit/covkit/analysis"
	"strconv"
	"strings"

	"github.com/covkit/covkit/releases"
	"github.com/spf13/pflag"
)

// Flags are the report flags shared by covreport, covmerge and covrun.
// Register them with AddFlags, then call Apply to lay them over the
// configured Settings (flags win, as coverage.py's command line does).
type Flags struct {
	fs *pflag.FlagSet

	XML, LCOV, JSON string
	HTML            string // directory
	History         string // history file
	Text            bool
	Reports         string
	ShowMissing     bool
	// SkipCovered is set by --skip-covered and --no-skip-covered, the last
	// one given winning (nil: neither).
	SkipCovered     *bool
	Quiet           bool
	Title           string
	SkipEmpty       bool
	IgnoreErrors    bool
	PrettyPrint     bool
	ShowContexts    bool
	Precision       int
	Sort            string
	Format          string
	FailUnder       float64
	Include, Omit   string
	Contexts        string
	RCFile          string
	PythonVersion   string
	CoverageVersion string
}

// AddFlags registers the report flags on fs.
func AddFlags(fs *pflag.FlagSet) *Flags {
	f := &Flags{fs: fs}
	fs.StringVar(&f.XML, "xml", "", "write a Cobertura XML report to `FILE` (- for stdout)")
	fs.StringVar(&f.LCOV, "lcov", "", "write an LCOV report to `FILE` (- for stdout)")
	fs.StringVar(&f.JSON, "json", "", "write a JSON report to `FILE` (- for stdout)")
	fs.StringVar(&f.HTML, "html", "", "write an HTML report into directory `DIR`")
	fs.StringVar(&f.History, "history", "", "append this run's totals to the history `FILE` (JSON lines): the HTML report draws the trend, the text report prints the change since the previous run")
	fs.StringVar(&f.Reports, "reports", "", "write these comma-separated reports (text, xml, lcov, json, html) to their configured outputs ([xml] output, [html] directory, ...)")
	fs.BoolVar(&f.Text, "text", false, "write the text summary table on stdout (the default when no other report is asked for)")
	fs.BoolVarP(&f.ShowMissing, "show-missing", "m", false, "show line numbers of statements that weren't executed")
	fs.VarPF(&setBool{&f.SkipCovered, true}, "skip-covered", "", "skip files with 100% coverage in the text table and the HTML report").NoOptDefVal = "true"
	fs.VarPF(&setBool{&f.SkipCovered, false}, "no-skip-covered", "", "list files with 100% coverage, whatever the configuration says").NoOptDefVal = "true"
	fs.BoolVar(&f.SkipEmpty, "skip-empty", false, "skip files with no code")
	fs.BoolVarP(&f.IgnoreErrors, "ignore-errors", "i", false, "ignore errors while reading source files")
	fs.BoolVar(&f.PrettyPrint, "pretty-print", false, "indent the JSON report")
	fs.BoolVar(&f.ShowContexts, "show-contexts", false, "list the contexts that ran each line in the JSON report")
	fs.StringVar(&f.Title, "title", "", "the HTML report's (and the job summary's) `TITLE` (default: [html] title, \"Coverage report\")")
	fs.BoolVarP(&f.Quiet, "quiet", "q", false, "don't print messages about what is happening (\"Wrote ... report to ...\"); warnings still go to stderr")
	fs.IntVar(&f.Precision, "precision", 0, "number of digits after the decimal point in percentages")
	fs.StringVar(&f.Sort, "sort", "", "sort the text table by `COLUMN`: name, stmts, miss, branch, brpart or cover; prefix - to reverse")
	fs.StringVar(&f.Format, "format", "", "text table format: text, markdown or total (the total percentage alone)")
	fs.Float64Var(&f.FailUnder, "fail-under", 0, "exit 2 if the total coverage is under `MIN` percent")
	fs.StringVar(&f.Include, "include", "", "report only files matching these comma-separated `PATTERNS`")
	fs.StringVar(&f.Omit, "omit", "", "omit files matching these comma-separated `PATTERNS`")
	fs.StringVar(&f.Contexts, "contexts", "", "report only data from contexts matching these comma-separated `REGEXES`")
	fs.StringVar(&f.RCFile, "rcfile", "", "read configuration from `FILE` (default: .coveragerc, setup.cfg, tox.ini, pyproject.toml)")
	fs.StringVar(&f.PythonVersion, "python-version", "", "parse sources as this CPython `VERSION` does (default: the version that measured the data)")
	fs.StringVar(&f.CoverageVersion, "coverage-version", "", "analyse sources as this coverage.py `VERSION` does: default exclusions and statement rules differ between releases (default: the version that measured the data)")
	return f
}

func (f *Flags) changed(name string) bool { return f.fs != nil && f.fs.Changed(name) }

// commaList splits like coverage.py's unshell_list for --include/--omit.
func commaList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Apply lays the flags that were given over s.
func (f *Flags) Apply(s *Settings) {
	if f.changed("show-missing") {
		s.ShowMissing = f.ShowMissing
	}
	// As coverage.py's command line, --skip-covered and --no-skip-covered
	// set the HTML report's setting too.
	if f.SkipCovered != nil {
		v := *f.SkipCovered
		s.SkipCovered, s.HTMLSkipCovered = v, &v
	}
	if f.changed("title") {
		s.HTMLTitle = f.Title
	}
	if f.changed("skip-empty") {
		s.SkipEmpty = f.SkipEmpty
	}
	if f.changed("ignore-errors") {
		s.IgnoreErrors = f.IgnoreErrors
	}
	if f.changed("pretty-print") {
		s.PrettyPrint = f.PrettyPrint
	}
	if f.changed("show-contexts") {
		s.ShowContexts = f.ShowContexts
	}
	if f.changed("precision") {
		s.Precision = f.Precision
	}
	if f.changed("sort") {
		s.Sort = f.Sort
	}
	if f.changed("format") {
		s.Format = f.Format
	}
	if f.changed("fail-under") {
		s.FailUnder = f.FailUnder
	}
	if f.changed("include") {
		s.Include = commaList(f.Include)
	}
	if f.changed("contexts") {
		s.Contexts = commaList(f.Contexts)
	}
	if f.changed("omit") {
		s.Omit = commaList(f.Omit)
	}
}

// Wanted lists the reports the flags ask for, in the order text, xml,
// lcov, json, html: --xml/--lcov/--json/--html name their files; --reports
// names kinds written to the configured outputs ([xml] output, [html]
// directory, ...); the text table is
// the default when nothing else is asked for.
func (f *Flags) Wanted(s *Settings) ([]Output, error) {
	paths := map[string]string{"xml": f.XML, "lcov": f.LCOV, "json": f.JSON, "html": f.HTML}
	text := f.Text
	for _, k := range commaList(f.Reports) {
		switch k {
		case "text":
			text = true
		case "xml":
			if paths[k] == "" {
				paths[k] = s.XMLOutput
			}
		case "lcov":
			if paths[k] == "" {
				paths[k] = s.LCOVOutput
			}
		case "json":
			if paths[k] == "" {
				paths[k] = s.JSONOutput
			}
		case "html":
			if paths[k] == "" {
				paths[k] = s.HTMLDir
			}
		default:
			return nil, fmt.Errorf("--reports: unknown report %q (want text, xml, lcov, json or html)", k)
		}
	}
	var out []Output
	for _, k := range []string{"xml", "lcov", "json", "html"} {
		if paths[k] != "" {
			out = append(out, Output{k, paths[k]})
		}
	}
	if text || len(out) == 0 {
		out = append([]Output{{"text", "-"}}, out...)
	}
	return out, nil
}

// Output is one report to write.
type Output struct {
	Kind string // text, xml, lcov, json, html; summary (Env.StepSummary)
	Path string // "-" is stdout
}

// Analyzer returns the Python source analyzer (analysis.PySourceAnalyzer),
// after checking --python-version and --coverage-version.
func (f *Flags) Analyzer() (analysis.Analyzer, error) {
	if f.PythonVersion != "" {
		if _, err := releases.ParsePython(f.PythonVersion); err != nil {
			return nil, fmt.Errorf("invalid --python-version: %w", err)
		}
	}
	if f.CoverageVersion != "" {
		if _, err := releases.ParseCoverage(f.CoverageVersion); err != nil {
			return nil, fmt.Errorf("invalid --coverage-version: %w", err)
		}
	}
	return analysis.PySourceAnalyzer(), nil
}

// setBool is one of two flags that set the same *bool, as coverage.py's
// --skip-covered and --no-skip-covered do: --NAME (or --NAME=true) stores
// on, --NAME=false stores !on, and the last flag given wins.
type setBool struct {
	dst **bool
	on  bool
}

func (b *setBool) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return err
	}
	v = v == b.on
	*b.dst = &v
	return nil
}

func (b *setBool) String() string { return "false" }
func (b *setBool) Type() string   { return "bool" }
