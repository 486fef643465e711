package envlist

import (
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
