package pyregex

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLiteralStart(t *testing.T) {
	tests := []struct {
		pattern string
		want    byte
		ok      bool
	}{
		{`#\s*(pragma|PRAGMA)[:\s]?\s*(no|NO)\s*(cover|COVER)`, '#', true},
		{`#+x`, '#', true},
		{`#?x`, 0, false},
		{`#*x`, 0, false},
		{`#{0,1}x`, 0, false},
		{`#x|y`, 0, false},
		{`#[|]x`, '#', true},
		{`#\|x`, '#', true},
		{`(#x)`, 0, false},
		{`\#x`, 0, false},
		{`.x`, 0, false},
		{`éx`, 0, false},
		{``, 0, false},
	}
	for _, tt := range tests {
		got, ok := literalStart(tt.pattern)
		if got != tt.want || ok != tt.ok {
			t.Errorf("literalStart(%q) = %q, %v; want %q, %v", tt.pattern, got, ok, tt.want, tt.ok)
		}
	}
}

// The literal-byte search must find exactly what a full scan finds.
func TestFindFromLiteralMatchesScan(t *testing.T) {
	// Patterns that need the backtracking engine (look-around).
	patterns := []string{
		`#\s*(pragma|PRAGMA)[:\s]?\s*(no|NO)\s*(cover|COVER)(?!x)`,
		`#\s*(pragma|PRAGMA)[:\s]?\s*(no|NO)\s*(?=branch|BRANCH)`,
		`#(?=\s*x)`,
		`#\s*x(?!y)`,
	}
	pieces := []string{"#", "# ", "#\n", "pragma", "PRAGMA", ":", " ", "\n", "no", "NO", "cover",
		"branch", "x", "y", "é", "\u2028", "\t", "##", "pragma: no cover", "\u00a0"}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, p := range patterns {
		re, err := Compile(p, true)
		if err != nil {
			t.Fatal(err)
		}
		if re.anchored == nil {
			t.Fatalf("%q: no literal fast path", p)
		}
		for n := 0; n < 2000; n++ {
			var b strings.Builder
			for k := rng.IntN(30); k >= 0; k-- {
				b.WriteString(pieces[rng.IntN(len(pieces))])
			}
			text := b.String()
			lm := NewText(text)
			got, err := lm.findAllIn(re)
			if err != nil {
				t.Fatal(err)
			}
			runes, off := runeIndex(text)
			want, err := re.findAllRunes(runes, off)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("%q over %q (-scan +literal):\n%s", p, text, diff)
			}
		}
	}
}
