package analysis

import (
	"errors"

	"github.com/covkit/covkit/pysource"
	"github.com/covkit/covkit/report"
)

// PySourceAnalyzer returns the Analyzer backed by package pysource for
// CPython major.minor, emulating coverage.py 7.16.
func PySourceAnalyzer(major, minor int) Analyzer { return PySourceAnalyzerFor(major, minor, 0, 0) }

// PySourceAnalyzerFor is PySourceAnalyzer emulating coverage.py
// covMajor.covMinor (0.0 is the newest supported, 7.16).
func PySourceAnalyzerFor(major, minor, covMajor, covMinor int) Analyzer {
	return PySourceAnalyzerWith(major, minor, covMajor, covMinor, nil)
}

// BranchFacts gives, for an analysed file, the function Parsed.Branches
// wants (package pyarcs provides one). It is injected rather than imported
// so that the arc analysis can depend on this package in its tests.
type BranchFacts func(a *pysource.Analysis, ver, cov pysource.Version) func(executedArcs [][2]int) *report.Branches

// PySourceAnalyzerWith is PySourceAnalyzerFor with branch facts from
// branches (nil: none, reports then show line figures only).
func PySourceAnalyzerWith(major, minor, covMajor, covMinor int, branches BranchFacts) Analyzer {
	ver := pysource.Version{Major: major, Minor: minor}
	cov := pysource.Version{Major: covMajor, Minor: covMinor}
	return func(filename string, src []byte, exclude, partial []string) (*Parsed, error) {
		a, err := pysource.Analyze(filename, src, pysource.Options{Version: ver, Coverage: cov, Exclude: exclude, PartialBranches: partial})
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
			p.Branches = branches(a, ver, cov)
		}
		return p, nil
	}
}
