package pyregex

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Patterns the anchored search serves: coverage.py's defaults and forms
// that stress priorities, empty loops, assertions and Unicode.
var anchoredPatterns = []string{
	`#\s*(pragma|PRAGMA)[:\s]?\s*(no|NO)\s*(cover|COVER)`,
	`#\s*(pragma|PRAGMA)[:\s]?\s*(no|NO)\s*(branch|BRANCH)`,
	`^\s*(((async )?def .*?)?[\])]+(\s*->.*?)?:\s*)?\.\.\.\s*(#|$)`,
	`if (typing\.)?TYPE_CHECKING:`,
	`while (True|1|False|0):`,
	`if (True|1|False|0):`,
	`^\s*\.\.\.`,
	`^\s*$`,
	`^(x|)`,
	`^(a*)*b`,
	`^(?:x*?|y)+z`,
	`^\s*def .*:\s*$\n\s*\.\.\.`,
	`^.*\Z`,
	`^\A#.*`,
	`#x$`,
	`#(?i)X`,
	`#\s*é+\d*`,
	`ab+?c*`,
	`^[^\n#]*#\s*x{2,3}`,
}

var textPieces = []string{"#", "# ", "#\n", "pragma", "PRAGMA", ":", " ", "\n", "\n\n", "no", "NO", "cover",
	"branch", "x", "X", "y", "z", "a", "b", "c", "é", "\u2028", "\t", "##", "pragma: no cover", "\u00a0",
	"...", "def f(x)", "async def g()", ")", "]", " -> int", "if ", "while ", "True", "TYPE_CHECKING",
	"typing.", "1", "٣", "\r", "\f", "\xff"}

func randomText(rng *rand.Rand) string {
	var b strings.Builder
	for k := rng.IntN(40); k >= 0; k-- {
		b.WriteString(textPieces[rng.IntN(len(textPieces))])
	}
	return b.String()
}

// checkAnchored compares the anchored search with Go's regexp on the same
// text: FindAll over the whole text for patterns with a literal prefix,
// the per-line-start regexp for patterns anchored at line starts.
func checkAnchored(t *testing.T, pattern, text string) {
	t.Helper()
	re, err := Compile(pattern, true)
	if err != nil {
		t.Fatal(err)
	}
	if re.prog == nil {
		t.Fatalf("%q: no anchored search", pattern)
	}
	lm := NewText(text)
	var got, want [][2]int
	if re.lineStart != nil {
		got, err = lm.findOne(re)
		if err != nil {
			t.Fatal(err)
		}
		want, _ = lm.findAtLineStarts(re, nil)
		if strings.Contains(pattern, `\A`) {
			// The line-start regexp sees \A at every line start; the
			// anchored search, like Python, only at the start of the text.
			want = nil
			for _, l := range re.re2.FindAllStringIndex(text, -1) {
				want = append(want, [2]int{l[0], l[1]})
			}
		}
	} else {
		got, _ = lm.findFromPrefix(re)
		for _, l := range re.re2.FindAllStringIndex(text, -1) {
			want = append(want, [2]int{l[0], l[1]})
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("%q over %q (-regexp +anchored):\n%s", pattern, text, diff)
	}
}

func TestAnchoredMatchesRegexp(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, p := range anchoredPatterns {
		for n := 0; n < 3000; n++ {
			checkAnchored(t, p, randomText(rng))
		}
	}
}

// An attempt that would need too much memory hands over to Go's regexp.
func TestAnchoredTooFar(t *testing.T) {
	long := "#" + strings.Repeat(" ", btLimit) + "x"
	re, err := Compile(`#\s*x`, true)
	if err != nil {
		t.Fatal(err)
	}
	lm := NewText(long)
	if _, ok := lm.findFromPrefix(re); ok {
		t.Fatal("findFromPrefix did not give up")
	}
	got, err := lm.findAllIn(re)
	if err != nil {
		t.Fatal(err)
	}
	if want := [][2]int{{0, len(long)}}; !cmp.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	checkAnchored(t, `^\s*x`, "\n"+long[1:])
}

// FuzzAnchoredMatch: the anchored search finds what Go's regexp finds.
func FuzzAnchoredMatch(f *testing.F) {
	f.Add("def f(x) -> int:\n    ...\n# pragma: no cover\n")
	f.Add("if TYPE_CHECKING:\n\n   ...  # x\n")
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 1<<12 {
			// Patterns like ^\s*$ take quadratic time over long runs of
			// blank lines, in Go's regexp as in Python's re.
			return
		}
		for _, p := range anchoredPatterns {
			checkAnchored(t, p, text)
		}
	})
}

func TestRequiredLiteral(t *testing.T) {
	tests := []struct{ pattern, want string }{
		{`(?m)^\s*(((async )?def .*?)?[\])]+(\s*->.*?)?:\s*)?\.\.\.\s*(#|$)`, "..."},
		{`if (typing\.)?TYPE_CHECKING:`, "TYPE_CHECKING:"},
		{`while (True|1|False|0):`, "while "},
		{`a|b`, ""},
		{`(?i)abc`, ""},
		{`x*`, ""},
		{`(abc)`, "abc"},
	}
	for _, tt := range tests {
		if got := requiredLiteral(tt.pattern); got != tt.want {
			t.Errorf("requiredLiteral(%q) = %q, want %q", tt.pattern, got, tt.want)
		}
	}
}
