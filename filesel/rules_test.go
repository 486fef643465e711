package filesel

import "testing"

func TestRulesFor(t *testing.T) {
	for _, tt := range []struct {
		version string
		want    Rules
	}{
		{"6.5.0", RulesModules},
		{"7.6.1", RulesModules},
		{"7.13", RulesModules},
		{"7.13.0", RulesModules},
		{"7.13.1", RulesSysconfig},
		{"7.13.2", RulesSysconfig},
		{"7.13.3", RulesVenv},
		{"7.13.3rc1", RulesVenv},
		{"7.16.1", RulesVenv},
		{"", RulesVenv},
		{"7", RulesVenv},
		{"not a version", RulesVenv},
	} {
		if got := RulesFor(tt.version); got != tt.want {
			t.Errorf("RulesFor(%q) = %q, want %q", tt.version, got, tt.want)
		}
	}
}
