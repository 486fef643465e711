package covconfig

import (
	"errors"
	"fmt"
)

// Default regex lists of coverage.py 7.16 (config.py DEFAULT_EXCLUDE,
// DEFAULT_PARTIAL, DEFAULT_PARTIAL_ALWAYS), in Python re syntax.
var (
	DefaultExclude = []string{
		`#\s*(pragma|PRAGMA)[:\s]?\s*(no|NO)\s*(cover|COVER)`,
		`^\s*(((async )?def .*?)?[\])]+(\s*->.*?)?:\s*)?\.\.\.\s*(#|$)`,
		`if (typing\.)?TYPE_CHECKING:`,
	}
	DefaultPartial = []string{
		`#\s*(pragma|PRAGMA)[:\s]?\s*(no|NO)\s*(branch|BRANCH)`,
	}
	DefaultPartialAlways = []string{
		"while (True|1|False|0):",
		"if (True|1|False|0):",
	}
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
	// DefaultExclude) followed by ExcludeAlso. Pass it to the analyzer.
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
	return &Config{
		Run: Run{DataFile: ".coverage"},
		Report: Report{
			ExcludeLines:          append([]string(nil), DefaultExclude...),
			PartialBranches:       append([]string(nil), DefaultPartial...),
			PartialBranchesAlways: append([]string(nil), DefaultPartialAlways...),
		},
		HTML:          HTML{Directory: "htmlcov", Title: "Coverage report"},
		XML:           XML{Output: "coverage.xml", PackageDepth: 99},
		JSON:          JSON{Output: "coverage.json"},
		LCOV:          LCOV{Output: "coverage.lcov"},
		PluginOptions: map[string]map[string]any{},
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
