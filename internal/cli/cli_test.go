package cli

import "testing"

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
