package reporting

import (
	"github.com/covkit/covkit/pathmap"
	"github.com/covkit/covkit/releases"
)

// Settings are the configuration values reporting uses: coverage.py's
// [run], [report], [xml], [lcov], [json] and [paths] settings after the
// configuration file is read and before flags are applied.
type Settings struct {
	DataFile      string
	RelativeFiles bool
	Source        []string

	Include, Omit []string
	// Contexts are [report] contexts (regexes); nil reports all.
	Contexts []string
	// Regexes are exclude_lines, exclude_also, partial_branches,
	// partial_also and partial_branches_always as configured (nil: unset);
	// each file gets the defaults of the coverage.py release that measured it.
	Regexes      releases.Configured
	FailUnder    float64
	Precision    int
	ShowMissing  bool
	SkipCovered  bool
	SkipEmpty    bool
	IgnoreErrors bool
	Sort         string
	Format       string // text table format: text, markdown, total

	XMLOutput     string
	PackageDepth  int
	LCOVOutput    string
	LineChecksums bool
	JSONOutput    string
	PrettyPrint   bool
	ShowContexts  bool

	// [html]; nil HTMLSkipCovered/HTMLSkipEmpty take the [report] values.
	HTMLDir          string
	HTMLTitle        string
	HTMLSkipCovered  *bool
	HTMLSkipEmpty    *bool
	HTMLShowContexts bool
	HTMLExtraCSS     string

	Paths []pathmap.Rule
}

// DefaultSettings are coverage.py's defaults.
func DefaultSettings() Settings {
	return Settings{
		DataFile:     ".coverage",
		XMLOutput:    "coverage.xml",
		PackageDepth: 99,
		LCOVOutput:   "coverage.lcov",
		JSONOutput:   "coverage.json",
		HTMLDir:      "htmlcov",
		HTMLTitle:    "Coverage report",
	}
}
