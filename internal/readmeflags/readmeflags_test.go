package readmeflags

import (
	"slices"
	"testing"
)

func TestMentioned(t *testing.T) {
	tests := []struct {
		text, tool string
		want       []string
	}{
		{"covrun --branch --fail-under 90 -- python -m x --not-ours", "covrun", []string{"--branch", "--fail-under"}},
		{"covmerge .coverage.* && covreport --show-missing -m", "covreport", []string{"--show-missing", "-m"}},
		{"covmerge .coverage.* && covreport --show-missing", "covmerge", nil},
		{"use `covreport --format=markdown` here, then --other", "covreport", []string{"--format"}},
		{"script: [covrun -q] --outside", "covrun", []string{"-q"}},
		{"covrun -a # --comment\nmycovrun --no", "covrun", []string{"-a"}},
		{"`covrun --append` or `covrun --append=false`", "covrun", []string{"--append"}},
	}
	for _, tt := range tests {
		if got := Mentioned(tt.text, tt.tool); !slices.Equal(got, tt.want) {
			t.Errorf("Mentioned(%q, %s) = %q, want %q", tt.text, tt.tool, got, tt.want)
		}
	}
}
