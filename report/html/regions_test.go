package html

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/covkit/covkit/report"
)

// TestNarrowMatchesJSON: the region figures of the HTML indexes are those
// the JSON report (package report's own narrowing, byte-identical to
// coverage.py's) gives for each function and class.
func TestNarrowMatchesJSON(t *testing.T) {
	type summary struct {
		NumStatements      int `json:"num_statements"`
		MissingLines       int `json:"missing_lines"`
		ExcludedLines      int `json:"excluded_lines"`
		NumBranches        int `json:"num_branches"`
		NumPartialBranches int `json:"num_partial_branches"`
		MissingBranches    int `json:"missing_branches"`
	}
	type region struct {
		Summary summary
	}
	var doc struct {
		Files map[string]struct {
			Functions map[string]region
			Classes   map[string]region
		}
	}
	for _, rs := range []*report.Set{fixtureLines(), fixtureBranches()} {
		var buf bytes.Buffer
		if _, err := report.WriteJSON(&buf, rs, &report.Options{}); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		checked := 0
		for _, f := range rs.Files {
			nLines := strings.Count(f.Source, "\n")
			for _, kind := range []string{"function", "class"} {
				want := doc.Files[f.RelName].Functions
				if kind == "class" {
					want = doc.Files[f.RelName].Classes
				}
				outside := map[int]bool{}
				for l := 1; l <= nLines; l++ {
					outside[l] = true
				}
				check := func(name string, lines map[int]bool) {
					n := narrowAll(f, func(l int) int {
						if lines[l] {
							return 0
						}
						return -1
					}, 1, rs.HasArcs)[0].Numbers(0, rs.HasArcs)
					got := summary{n.Statements, n.Missing, n.Excluded, n.Branches, n.PartialBranches, n.MissingBranches}
					if got != want[name].Summary {
						t.Errorf("%s %s %q: html %+v, json %+v", f.RelName, kind, name, got, want[name].Summary)
					}
					checked++
				}
				for _, r := range f.Regions {
					if r.Kind == kind {
						for _, l := range r.Lines {
							delete(outside, l)
						}
						check(r.Name, set(r.Lines))
					}
				}
				check("", outside)
			}
		}
		if checked < 6 {
			t.Errorf("only %d regions checked", checked)
		}
	}
}
