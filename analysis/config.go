package analysis

import (
	"github.com/covkit/covkit/covconfig"
	"github.com/covkit/covkit/pathmap"
)

// SettingsFromConfig takes the reporting settings from a loaded
// configuration.
func SettingsFromConfig(c *covconfig.Config) Settings {
	s := Settings{
		DataFile:        c.Run.DataFile,
		RelativeFiles:   c.Run.RelativeFiles,
		Source:          c.Run.Source, // only [run] source feeds the XML <sources>
		Include:         c.Report.Include,
		Omit:            c.Report.Omit,
		ExcludeLines:    c.Report.ExcludeLines, // already followed by exclude_also
		PartialBranches: append(append([]string(nil), c.Report.PartialBranches...), c.Report.PartialBranchesAlways...),
		FailUnder:       c.Report.FailUnder,
		Precision:       c.Report.Precision,
		ShowMissing:     c.Report.ShowMissing,
		SkipCovered:     c.Report.SkipCovered,
		SkipEmpty:       c.Report.SkipEmpty,
		IgnoreErrors:    c.Report.IgnoreErrors,
		Sort:            c.Report.Sort,
		XMLOutput:       c.XML.Output,
		PackageDepth:    c.XML.PackageDepth,
		LCOVOutput:      c.LCOV.Output,
		LineChecksums:   c.LCOV.LineChecksums,
		JSONOutput:      c.JSON.Output,
		PrettyPrint:     c.JSON.PrettyPrint,
		ShowContexts:    c.JSON.ShowContexts,
	}
	if s.ExcludeLines == nil {
		s.ExcludeLines = []string{}
	}
	for _, p := range c.Paths {
		if len(p.Patterns) > 1 {
			s.Paths = append(s.Paths, pathmap.Rule{Result: p.Patterns[0], Patterns: p.Patterns[1:]})
		}
	}
	return s
}
