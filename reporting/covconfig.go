package reporting

import (
	"github.com/covkit/covkit/covconfig"
)

// SettingsFromConfig takes the reporting settings from a loaded
// configuration.
func SettingsFromConfig(c *covconfig.Config) Settings {
	s := Settings{
		DataFile:         c.Run.DataFile,
		RelativeFiles:    c.Run.RelativeFiles,
		Source:           c.Run.Source, // only [run] source feeds the XML <sources>
		Include:          c.Report.Include,
		Omit:             c.Report.Omit,
		Contexts:         c.Report.Contexts,
		Regexes:          c.Regexes(),
		FailUnder:        c.Report.FailUnder,
		Precision:        c.Report.Precision,
		ShowMissing:      c.Report.ShowMissing,
		SkipCovered:      c.Report.SkipCovered,
		SkipEmpty:        c.Report.SkipEmpty,
		IgnoreErrors:     c.Report.IgnoreErrors,
		Sort:             c.Report.Sort,
		Format:           c.Report.Format,
		XMLOutput:        c.XML.Output,
		PackageDepth:     c.XML.PackageDepth,
		LCOVOutput:       c.LCOV.Output,
		LineChecksums:    c.LCOV.LineChecksums,
		JSONOutput:       c.JSON.Output,
		PrettyPrint:      c.JSON.PrettyPrint,
		ShowContexts:     c.JSON.ShowContexts,
		HTMLDir:          c.HTML.Directory,
		HTMLTitle:        c.HTML.Title,
		HTMLSkipCovered:  c.HTML.SkipCovered,
		HTMLSkipEmpty:    c.HTML.SkipEmpty,
		HTMLShowContexts: c.HTML.ShowContexts,
		HTMLExtraCSS:     c.HTML.ExtraCSS,
	}
	s.Paths = c.PathRules()
	return s
}

// LoadSettings reads the configuration as coverage.py would in dir (rcfile
// as --rcfile gives it) and returns the report settings and the warnings
// coverage.py would print.
func LoadSettings(dir, rcfile string, getenv func(string) string) (Settings, []string, error) {
	c, err := covconfig.Load(covconfig.LoadOptions{Dir: dir, RCFile: rcfile, Getenv: getenv})
	if err != nil {
		return Settings{}, nil, err
	}
	return SettingsFromConfig(c), c.Warnings, nil
}
