package pysource

import (
	"strings"

	"github.com/covkit/covkit/pyregex"
)

// lineMatcher finds the lines of a source text that coverage.py's regexes
// (exclusions, partial branches) match; package pyregex runs them.
type lineMatcher struct {
	*pyregex.Text
	text string
}

func newLineMatcher(text string) *lineMatcher {
	return &lineMatcher{Text: pyregex.NewText(text), text: text}
}

// matching is coverage.py 7.x's lines_matching over the joined list of
// patterns: the regex runs over the whole text in MULTILINE mode; every
// line a match spans counts, mapped through ml when it is non-nil.
func (lm *lineMatcher) matching(patterns []string, cov Version, ml []int32) (lineSet, error) {
	spans, err := lm.Find(patterns, JoinRegex(patterns, cov))
	if err != nil {
		return nil, err
	}
	out := newLineSet(lm.Lines())
	for _, sp := range spans {
		sl := lm.NewlinesBefore(sp[0])
		el := lm.NewlinesBefore(sp[1])
		for l := sl + 1; l <= el+1; l++ {
			if l < len(ml) && ml[l] != 0 {
				out.add(int(ml[l]))
			} else {
				out.add(l)
			}
		}
	}
	return out, nil
}

// perLine is coverage.py 6.x's lines_matching: the joined patterns searched
// on each line; a line matches when one of the patterns does.
func (lm *lineMatcher) perLine(patterns []string) (lineSet, error) {
	out := newLineSet(lm.Lines())
	res := make([]*pyregex.Regexp, len(patterns))
	for i, p := range patterns {
		re, err := pyregex.Compile(p, false)
		if err != nil {
			return nil, err
		}
		res[i] = re
	}
	if len(res) == 0 {
		return out, nil
	}
	for i, line := range strings.Split(lm.text, "\n") {
		for _, re := range res {
			ok, err := re.MatchString(line)
			if err != nil {
				return nil, err
			}
			if ok {
				out.add(i + 1)
				break
			}
		}
	}
	return out, nil
}
