package covconfig

import (
	"errors"
	"fmt"

	"github.com/covkit/covkit/releases"
)

// Config is coverage.py's CoverageConfig after read_coverage_config. Field
// comments name coverage.py's attribute where it differs from the option.
// A nil list is an unset (None) one where coverage.py distinguishes.
type Config struct {
	// File is the absolute path of the config file used, "" if none.
	File string
	// FilesAttempted and FilesRead are coverage.py's config_files_attempted
	// and config_files_read (absolute paths).
	FilesAttempted, FilesRead []string

	Run    Run
	Report Report
	HTML   HTML
	XML    XML
	JSON   JSON
	LCOV   LCOV
	// Paths is the [paths] section in file order.
	Paths []PathsEntry
	// PluginOptions holds the sections named by [run] plugins, passed
	// through: INI values are strings, TOML values as decoded.
	PluginOptions map[string]map[string]any

	// Warnings are the warnings coverage.py would issue while reading
	// ("Unrecognized option ..."), in a stable order.
	Warnings []string

	// Set holds the options the configuration file set, as
	// "section:option" ("report:exclude_lines"): what an older coverage.py
	// release, with other defaults, would take from the same file.
	Set map[string]bool `json:"-"`
}

// Regexes returns the [report] regex options as the file sets them, nil
// for those it leaves unset, for releases.Rules.Regexes: coverage.py
// releases differ in their defaults and in the options they read.
func (c *Config) Regexes() releases.Configured {
	var r releases.Configured
	if c.Set["report:exclude_lines"] {
		r.ExcludeLines = c.Report.ExcludeLines[:len(c.Report.ExcludeLines)-len(c.Report.ExcludeAlso)]
	}
	if c.Set["report:partial_branches"] {
		r.PartialBranches = c.Report.PartialBranches[:len(c.Report.PartialBranches)-len(c.Report.PartialAlso)]
	}
	if c.Set["report:partial_branches_always"] {
		r.PartialAlways = c.Report.PartialBranchesAlways
	}
	r.ExcludeAlso = c.Report.ExcludeAlso
	r.PartialAlso = c.Report.PartialAlso
	return r
}

// PathsEntry is one [paths] option. Patterns is the value list exactly as
// coverage.py keeps it: Patterns[0] is the canonical result, the others are
// the patterns mapped to it (see PathRules).
type PathsEntry struct {
	Name     string
	Patterns []string
}

// Run is the [run] section.
type Run struct {
	Branch          bool
	CommandLine     string
	Concurrency     []string
	Context         string
	Core            string
	CoverPylib      bool
	DataFile        string // data_file; COVERAGE_FILE overrides it
	Debug           []string
	DebugFile       string
	DisableWarnings []string
	DynamicContext  string
	Parallel        bool
	Patch           []string
	Plugins         []string
	RelativeFiles   bool
	Include         []string // run_include
	Omit            []string // run_omit
	Sigterm         bool
	Source          []string // nil: not set (None)
	SourcePkgs      []string
	SourceDirs      []string
	Timid           bool
}

// Report is the [report] section.
type Report struct {
	// ExcludeLines is exclude_list after post-processing: exclude_lines (or
	// coverage.py 7.16's default) followed by ExcludeAlso. Reports take the
	// lists through Config.Regexes, resolved for the release that measured.
	ExcludeLines []string
	ExcludeAlso  []string
	// PartialBranches is partial_list after post-processing:
	// partial_branches (or DefaultPartial) followed by PartialAlso.
	PartialBranches []string
	PartialAlso     []string
	// PartialBranchesAlways is partial_always_list.
	PartialBranchesAlways    []string
	FailUnder                float64
	Format                   string
	IgnoreErrors             bool
	IncludeNamespacePackages bool
	Precision                int
	Contexts                 []string // report_contexts; nil: None
	Include                  []string // report_include; nil: None
	Omit                     []string // report_omit; nil: None
	ShowMissing              bool
	SkipCovered              bool
	SkipEmpty                bool
	Sort                     string
}

// HTML is the [html] section.
type HTML struct {
	ExtraCSS     string
	Directory    string // html_dir
	SkipCovered  *bool  // html_skip_covered; nil: use Report.SkipCovered
	SkipEmpty    *bool  // html_skip_empty; nil: use Report.SkipEmpty
	Title        string // html_title
	ShowContexts bool   // show_contexts
}

// XML is the [xml] section.
type XML struct {
	Output       string
	PackageDepth int
}

// JSON is the [json] section.
type JSON struct {
	Output       string
	PrettyPrint  bool
	ShowContexts bool
}

// LCOV is the [lcov] section.
type LCOV struct {
	Output        string
	LineChecksums bool
}

// Default returns coverage.py 7.16's CoverageConfig defaults.
func Default() *Config {
	rules := releases.CoverageRules(releases.LatestCoverage)
	return &Config{
		Run: Run{DataFile: ".coverage"},
		Report: Report{
			ExcludeLines:          rules.Exclude,
			PartialBranches:       rules.Partial,
			PartialBranchesAlways: rules.PartialAlways,
		},
		HTML:          HTML{Directory: "htmlcov", Title: "Coverage report"},
		XML:           XML{Output: "coverage.xml", PackageDepth: 99},
		JSON:          JSON{Output: "coverage.json"},
		LCOV:          LCOV{Output: "coverage.lcov"},
		PluginOptions: map[string]map[string]any{},
		Set:           map[string]bool{},
	}
}

// Error is a problem in a config file, located at File:Line (Line 0 when
// unknown).
type Error struct {
	File string
	Line int
	Msg  string
	Err  error
}

func (e *Error) Error() string {
	msg := e.Msg
	if e.Err != nil {
		if msg != "" {
			msg += ": "
		}
		msg += e.Err.Error()
	}
	msg = lowerFirst(msg)
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, msg)
	}
	if e.File != "" {
		return e.File + ": " + msg
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// lowerFirst lower-cases coverage.py's capitalised messages ("Variable X is
// undefined") to Go style, leaving acronyms ("TOML") alone.
func lowerFirst(s string) string {
	if len(s) > 1 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'a' && s[1] <= 'z' {
		return string(s[0]+'a'-'A') + s[1:]
	}
	return s
}

// ErrNoConfigFile is wrapped by the error Load returns when a config file
// named explicitly (--rcfile, COVERAGE_RCFILE) cannot be read.
var ErrNoConfigFile = errors.New("no such file or unreadable")
