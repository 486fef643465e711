package lifecycle

import (
	"testing"

	"github.com/covkit/covkit/pth"
	"github.com/covkit/covkit/sqlitecov"
	"github.com/google/go-cmp/cmp"
)

// TestRecordInterpreters: covrun records the CPython of its interpreters
// that carry the data's coverage.py, only when they agree, and never
// overwrites a record the data already has.
func TestRecordInterpreters(t *testing.T) {
	in := func(mm, cov string) *pth.Info {
		return &pth.Info{MajorMinor: mm, HasCoverage: cov != "", CoverageVersion: cov}
	}
	tests := []struct {
		name    string
		record  []sqlitecov.Source
		interps []*pth.Info
		want    []sqlitecov.Source
	}{
		{"one interpreter", nil, []*pth.Info{in("3.11", "6.5.0")}, []sqlitecov.Source{{Python: "3.11", Coverage: "6.5.0"}}},
		{"others without that coverage.py", nil, []*pth.Info{in("3.12", ""), in("3.13", "7.6.0"), in("3.11", "6.5.0")}, []sqlitecov.Source{{Python: "3.11", Coverage: "6.5.0"}}},
		{"two versions: no record", nil, []*pth.Info{in("3.11", "6.5.0"), in("3.12", "6.5.0")}, []sqlitecov.Source{{Coverage: "6.5.0"}}},
		{"recorded stays", []sqlitecov.Source{{Python: "3.14", Coverage: "7.16", Engine: "covkit"}}, []*pth.Info{in("3.11", "6.5.0")}, []sqlitecov.Source{{Python: "3.14", Coverage: "7.16", Engine: "covkit"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := sqlitecov.NewData()
			d.Meta["version"] = "6.5.0"
			if tt.record != nil {
				d.SetMeasured(tt.record)
			}
			if err := recordInterpreters(d, tt.interps); err != nil {
				t.Fatal(err)
			}
			got, _ := d.Measured()
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
