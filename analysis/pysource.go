package analysis

import (
	"errors"

	"github.com/covkit/covkit/pysource"
	"github.com/covkit/covkit/report"
)

// PySourceAnalyzer returns the Analyzer backed by package pysource for
// CPython major.minor.
func PySourceAnalyzer(major, minor int) Analyzer {
	ver := pysource.Version{Major: major, Minor: minor}
	return func(filename string, src []byte, exclude, partial []string) (*Parsed, error) {
		a, err := pysource.Analyze(filename, src, pysource.Options{Version: ver, Exclude: exclude, PartialBranches: partial})
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
		return &Parsed{
			Statements: a.Statements,
			Excluded:   a.Excluded,
			Regions:    regions,
			Text:       a.Text,
			FirstLine:  a.FirstLine,
		}, nil
	}
}
