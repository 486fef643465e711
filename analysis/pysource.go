package analysis

import (
	"errors"

	"github.com/covkit/covkit/pyarcs"
	"github.com/covkit/covkit/pysource"
	"github.com/covkit/covkit/releases"
	"github.com/covkit/covkit/report"
)

// PySourceAnalyzer returns the Analyzer backed by packages pysource
// (statements, exclusions, regions) and pyarcs (branch facts, computed only
// when the data has arcs).
func PySourceAnalyzer() Analyzer {
	return func(filename string, src []byte, t Target, rx releases.Regexes) (*Parsed, error) {
		a, err := pysource.Analyze(filename, src, pysource.Options{
			Version: t.Python, Coverage: t.Coverage,
			Exclude: rx.Exclude, PartialBranches: rx.Partial, PartialAlways: rx.PartialAlways,
		})
		if err != nil {
			var np *pysource.NotPythonError
			if errors.As(err, &np) {
				return nil, &NotPythonError{Msg: err.Error()}
			}
			return nil, err
		}
		regions := make([]report.Region, len(a.Regions))
		for i, r := range a.Regions {
			regions[i] = report.Region{Kind: r.Kind, Name: r.Name, Start: r.Start, Lines: r.Lines}
		}
		branches := pyarcs.Branches(a, pyarcs.Options{Version: t.Python, Coverage: t.Coverage})
		return &Parsed{
			Statements: a.Statements,
			Excluded:   a.Excluded,
			Regions:    regions,
			Text:       a.Text,
			FirstLine:  a.FirstLine,
			Branches: func(executed [][2]int) *report.Branches {
				return reportBranches(branches(executed))
			},
		}, nil
	}
}

// reportBranches is the report model of pyarcs' branch facts.
func reportBranches(b *pyarcs.BranchFacts) *report.Branches {
	return &report.Branches{
		Possible:   b.Possible,
		Executed:   b.Executed,
		ExitCounts: b.ExitCounts,
		NoBranch:   b.NoBranch,
		Describe:   b.Describe,
	}
}
