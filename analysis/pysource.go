package analysis

import (
	"errors"

	"github.com/covkit/covkit/pysource"
	"github.com/covkit/covkit/releases"
	"github.com/covkit/covkit/report"
)

// PySourceAnalyzer returns the Analyzer backed by package pysource, with
// line figures only.
func PySourceAnalyzer() Analyzer { return PySourceAnalyzerWith(nil) }

// BranchFacts gives, for an analysed file, the function Parsed.Branches
// wants (package pyarcs provides one). It is injected rather than imported
// so that the arc analysis can depend on this package in its tests.
type BranchFacts func(a *pysource.Analysis, ver, cov pysource.Version) func(executedArcs [][2]int) *report.Branches

// PySourceAnalyzerWith is PySourceAnalyzer with branch facts from branches
// (nil: none, reports then show line figures only).
func PySourceAnalyzerWith(branches BranchFacts) Analyzer {
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
		p := &Parsed{
			Statements: a.Statements,
			Excluded:   a.Excluded,
			Regions:    regions,
			Text:       a.Text,
			FirstLine:  a.FirstLine,
		}
		if branches != nil {
			p.Branches = branches(a, t.Python, t.Coverage)
		}
		return p, nil
	}
}
