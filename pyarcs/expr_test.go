package pyarcs

import (
	"testing"

	"github.com/covkit/covkit/pysource"
)

func toks(t *testing.T, src string) []pysource.Token {
	t.Helper()
	ts, err := pysource.Tokenize(src+"\n", pysource.Version{Major: 3, Minor: 14})
	if err != nil {
		t.Fatal(err)
	}
	return codeToks(ts)
}

func TestConstantTest(t *testing.T) {
	tests := []struct {
		expr                   string
		full, fullVal, atomish bool
	}{
		{"True", true, true, true},
		{"1", true, true, true},
		{"0", true, false, true},
		{"0x0", true, false, true},
		{"0.0", true, false, true},
		{"1_000", true, true, true},
		{"0j", true, false, true},
		{"''", true, false, true},
		{"'a'", true, true, true},
		{"'' ''", true, false, true},
		{"b''", true, false, true},
		{`""""""`, true, false, true},
		{"f''", false, false, false},
		{"None", true, false, true},
		{"__debug__", true, true, true},
		{"...", true, true, true},
		{"(0)", true, false, true},
		{"not __debug__", true, false, false},
		{"not 0", true, true, false},
		{"True and 1", true, true, false},
		{"0 or ''", true, false, false},
		{"x or True", false, false, false},
		{"not x", false, false, false},
		{"1 == 1", false, false, false},
		{"-1", false, false, false},
		{"(1,)", false, false, false},
		{"()", false, false, false},
		{"x", false, false, false},
		{"not 1 + 1", false, false, false},
	}
	for _, tt := range tests {
		c, v := constantTest(toks(t, tt.expr), true)
		if c != tt.full || v != tt.fullVal {
			t.Errorf("is_constant_test_expr(%s) = %v, %v; want %v, %v", tt.expr, c, v, tt.full, tt.fullVal)
		}
		if c, _ := constantTest(toks(t, tt.expr), false); c != tt.atomish {
			t.Errorf("is_constant_expr(%s) = %v; want %v", tt.expr, c, tt.atomish)
		}
	}
}

func TestCasePatterns(t *testing.T) {
	tests := []struct {
		pat             string
		matchAs         bool // coverage.py 6.5: any MatchAs case
		wild76, wild716 bool // last case is a wildcard: 7.6, 7.16
	}{
		{"_", true, true, true},
		{"x", true, true, true},
		{"(x)", true, true, true},
		{"x if x > 1", true, false, false},
		{"_ as y", true, false, true},
		{"1 | _", false, true, true},
		{"(1 | _)", false, true, true},
		{"1 | (_ as y)", false, false, true},
		{"(1 | 2) as y", true, false, false},
		{"None", false, false, false},
		{"a.b", false, false, false},
		{"Point(x=0)", false, false, false},
		{"[a, b]", false, false, false},
		{"a, b", false, false, false},
		{"{'x': x}", false, false, false},
	}
	for _, tt := range tests {
		ts := toks(t, tt.pat)
		if got := patternIsMatchAs(ts); got != tt.matchAs {
			t.Errorf("%s: MatchAs = %v, want %v", tt.pat, got, tt.matchAs)
		}
		if got := caseIsWildcard(ts, false); got != tt.wild76 {
			t.Errorf("%s: 7.6 wildcard = %v, want %v", tt.pat, got, tt.wild76)
		}
		if got := caseIsWildcard(ts, true); got != tt.wild716 {
			t.Errorf("%s: 7.16 wildcard = %v, want %v", tt.pat, got, tt.wild716)
		}
	}
}

func TestCodeObjectLines(t *testing.T) {
	src := "a = lambda: 1\n" +
		"b = [x for x in y]\n" +
		"c = f(x for x in y)\n" +
		"d = {k: v for k, v in y}\n" +
		"e = f\"{[x for x in y]}\"\n" +
		"g = (1, 2)\n" +
		"for x in [1]: pass\n"
	ts, err := pysource.Tokenize(src, pysource.Version{Major: 3, Minor: 11})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		compFuncs bool
		want      []int
	}{
		{true, []int{1, 2, 3, 4, 5}},
		{false, []int{1, 3}},
	} {
		lines := map[int]bool{}
		scanCodeObjects(ts, pysource.Version{Major: 3, Minor: 11}, tt.compFuncs, 0, lines)
		for l := 1; l <= 7; l++ {
			want := false
			for _, w := range tt.want {
				want = want || w == l
			}
			if lines[l] != want {
				t.Errorf("compFuncs=%v line %d: code object %v, want %v", tt.compFuncs, l, lines[l], want)
			}
		}
	}
}
