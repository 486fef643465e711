package cli

import (
	"runtime/debug"
	"slices"
	"testing"
)

func TestEnvBool(t *testing.T) {
	tests := []struct {
		value   string
		want    bool
		wantErr bool
	}{
		{"", false, false},
		{"0", false, false},
		{"false", false, false},
		{"No", false, false},
		{"off", false, false},
		{"1", true, false},
		{"true", true, false},
		{"YES", true, false},
		{" on ", true, false},
		{"2", false, true},
		{"maybe", false, true},
	}
	for _, tt := range tests {
		got, err := EnvBool("X", func(string) string { return tt.value })
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("EnvBool(%q) = %v, %v; want %v, error %v", tt.value, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestVersionString(t *testing.T) {
	rev := []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "0123456789abcdef0123"}}
	dirty := append(slices.Clone(rev), debug.BuildSetting{Key: "vcs.modified", Value: "true"})
	tests := []struct {
		name    string
		stamped string
		bi      *debug.BuildInfo
		want    string
	}{
		{"stamped by make build", "v1.2.3", &debug.BuildInfo{Main: debug.Module{Version: "v9.9.9"}}, "v1.2.3"},
		{"go install module@version", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.4.1"}}, "v0.4.1"},
		{"go install of a commit", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261206041523-0123456789ab"}}, "v0.0.0-20261206041523-0123456789ab"},
		{"go build in a checkout, Go 1.24+", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261206041523-0123456789ab+dirty"}, Settings: dirty}, "v0.0.0-20261206041523-0123456789ab+dirty"},
		{"tagged version built from a checkout", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.5.0"}, Settings: rev}, "v0.5.0 (0123456789ab)"},
		{"go build in a checkout", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: rev}, "devel (0123456789ab)"},
		{"uncommitted changes", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: dirty}, "devel (0123456789ab+dirty)"},
		{"no build information", "", nil, "devel"},
	}
	for _, tt := range tests {
		if got := versionString(tt.stamped, tt.bi); got != tt.want {
			t.Errorf("%s: versionString = %q, want %q", tt.name, got, tt.want)
		}
	}
}
