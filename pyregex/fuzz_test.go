package pyregex

import (
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dlclark/regexp2"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// fuzzSeedPatterns are the patterns of this package's and pysource's
// tests: coverage.py's default exclusions and partial-branch patterns,
// look-around for the backtracking engine, and Python-only syntax.
var fuzzSeedPatterns = append(append([]string{}, anchoredPatterns...),
	`#\s*(pragma|PRAGMA)[:\s]?\s*(no|NO)\s*(cover|COVER)(?!x)`,
	`#\s*(pragma|PRAGMA)[:\s]?\s*(no|NO)\s*(?=branch|BRANCH)`,
	`#(?=\s*x)`,
	`(?<=raise )NotImplemented`,
	`^(?!def|if|x).*\S`,
	`b\s=`,
	`(?i)A =`,
	`\d+$`,
	`(?P<n>=) 2  #`,
	`x{1}|zz{`,
	`^b.{,1}=`,
	`[[:alpha:]]= 1`,
	`= 1\n\n`,
	`1\n\n\n`,
)

var fuzzSeedTexts = []string{
	"def f(x) -> int:\n    ...\n# pragma: no cover\n",
	"if TYPE_CHECKING:\n\n   ...  # x\n",
	"a = 1\n\n\n   ...\nb\u00a0= 2  # x\n",
	"raise NotImplementedError\nwhile True:\n    x = 1  # pragma: no branch\n",
}

// FuzzFind: Text.Find, with its fast paths (anchored attempts at line
// starts or at a literal, per-pattern searches merged), finds what the
// plain engine finds running the joined pattern over the whole text, as
// Python's re.finditer does; and no pattern makes Compile or a search
// panic.
func FuzzFind(f *testing.F) {
	for i, p := range fuzzSeedPatterns {
		f.Add(p, "", fuzzSeedTexts[i%len(fuzzSeedTexts)])
		f.Add(p, fuzzSeedPatterns[(i+1)%len(fuzzSeedPatterns)], fuzzSeedTexts[(i+1)%len(fuzzSeedTexts)])
	}
	f.Fuzz(func(t *testing.T, p1, p2, text string) {
		if len(p1)+len(p2) > 60 || len(text) > 256 {
			return // bounded: backtracking patterns can take exponential time
		}
		patterns := []string{p1}
		joined := p1
		if p2 != "" {
			patterns = append(patterns, p2)
			joined = "(?:" + p1 + ")|(?:" + p2 + ")"
		}
		if strings.Contains(joined, `\A`) {
			// Known: the line-start fallback sees \A at every line start
			// (see checkAnchored).
			return
		}
		if !utf8.ValidString(joined) {
			return // a Python pattern is a str
		}
		var res []*Regexp
		for _, p := range append(slices.Clone(patterns), joined) {
			re, err := Compile(p, true)
			if err != nil {
				return
			}
			res = append(res, re)
		}
		// A backtracking search may take exponential time, as in Python:
		// such inputs are cut short and skipped.
		for _, re := range res {
			for _, b := range []*regexp2.Regexp{re.back, re.anchored} {
				if b != nil {
					b.MatchTimeout = 200 * time.Millisecond
				}
			}
		}
		re := res[len(res)-1]
		want, err := re.FindAll(text)
		if err != nil {
			return
		}
		got, err := NewText(text).Find(patterns, joined)
		if err != nil {
			if strings.Contains(err.Error(), "timeout") {
				return
			}
			t.Fatalf("Find %q: %v", patterns, err)
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("%q over %q (-finditer +Find):\n%s", patterns, text, diff)
		}
	})
}
