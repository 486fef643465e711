package pysource

import (
	"errors"
	"testing"
)

// TestForgotComma: CPython 3.11's and 3.13's messages and lines for
// expressions side by side (compile() in the host and trixie beds).
func TestForgotComma(t *testing.T) {
	const comma, plain = "invalid syntax. Perhaps you forgot a comma?", "invalid syntax"
	tests := []struct {
		src  string
		msg  string
		line int
	}{
		{"f(a,\n  b + c\n  d)\n", comma, 2},
		{"[x for x in a b]\n", plain, 1},
		{"{1: 2 3}\n", comma, 1},
		{"(_ 1)\n", plain, 1},
		{"(lambda: x y)\n", comma, 1},
		{"(-a\n b)\n", comma, 1},
		{"(not a b)\n", comma, 1},
		{"(a if b else c d)\n", plain, 1},
		{"f(*a b)\n", comma, 1},
		{"f(x=1\n 2)\n", comma, 1},
		{"(a.b[1](2)\n 3)\n", comma, 1},
		{"(a\n \"s\")\n", plain, 2},
		{"(x \"s\" 1)\n", comma, 1},
		{"(a < b c)\n", comma, 1},
	}
	for _, tt := range tests {
		for _, ver := range []Version{py311, py313} {
			_, err := Analyze("t.py", []byte(tt.src), Options{Version: ver, Coverage: cov716})
			var np *NotPythonError
			if !errors.As(err, &np) {
				t.Errorf("%q on %v: err = %v", tt.src, ver, err)
				continue
			}
			if np.Line != tt.line || np.Msg != "'"+tt.msg+"'" {
				t.Errorf("%q on %v: %s at line %d, want %q at line %d", tt.src, ver, np.Msg, np.Line, tt.msg, tt.line)
			}
		}
	}
}
