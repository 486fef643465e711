package envlist

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestEnviron(t *testing.T) {
	env := []string{"A=1", "PATH=/bin", "A=2", "EMPTY=", "B=x=y"}
	for _, tt := range []struct {
		k, want string
		set     bool
	}{
		{"A", "2", true}, {"PATH", "/bin", true}, {"EMPTY", "", true}, {"B", "x=y", true}, {"NONE", "", false}, {"PAT", "", false},
	} {
		v, ok := Lookup(env, tt.k)
		if v != tt.want || ok != tt.set || Get(env, tt.k) != tt.want || Getter(env)(tt.k) != tt.want {
			t.Errorf("%s: got %q %v, want %q %v", tt.k, v, ok, tt.want, tt.set)
		}
	}
	got := Set(env, "A", "3")
	if want := []string{"PATH=/bin", "EMPTY=", "B=x=y", "A=3"}; !slices.Equal(got, want) {
		t.Errorf("Set = %q, want %q", got, want)
	}
	if env[0] != "A=1" {
		t.Error("Set changed its input")
	}
}

func TestLookPath(t *testing.T) {
	dir, shim := t.TempDir(), t.TempDir()
	for _, d := range []string{dir, shim} {
		if err := os.WriteFile(filepath.Join(d, "tool"), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "plain"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"PATH=/nonexistent", "PATH=" + shim + ":" + dir}
	for _, tt := range []struct {
		name, skip, want string
	}{
		{"tool", "", filepath.Join(shim, "tool")},  // the last PATH entry wins, searched in order
		{"tool", shim, filepath.Join(dir, "tool")}, // the shim's own directory skipped
		{"plain", "", ""},                          // not executable
		{"missing", "", ""},                        // nowhere
		{filepath.Join(dir, "tool"), "", ""},       // a path is not searched
	} {
		got, err := LookPath(env, tt.name, tt.skip)
		if got != tt.want || (err == nil) != (tt.want != "") {
			t.Errorf("LookPath(%q, skip %q) = %q, %v; want %q", tt.name, tt.skip, got, err, tt.want)
		}
	}
	if _, err := LookPath(nil, "sh", ""); err == nil {
		t.Error("found sh without a PATH")
	}
}
