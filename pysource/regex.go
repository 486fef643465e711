package pysource

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/dlclark/regexp2"
)

// lineMatcher finds the lines a Python regex matches, with Python re
// semantics (look-around, backreferences) through regexp2.
type lineMatcher struct {
	text  string
	runes []rune
	// nl holds the rune offsets of the '\n's.
	nl  []int
	cov Version
}

func newLineMatcher(text string, cov Version) (*lineMatcher, error) {
	return &lineMatcher{text: text, cov: cov}, nil
}

func (lm *lineMatcher) prepare() {
	if lm.runes != nil {
		return
	}
	lm.runes = []rune(lm.text)
	for i, r := range lm.runes {
		if r == '\n' {
			lm.nl = append(lm.nl, i)
		}
	}
}

// newlinesBefore counts the '\n's at rune offsets < off.
func (lm *lineMatcher) newlinesBefore(off int) int {
	return sort.SearchInts(lm.nl, off)
}

// compilePython compiles a Python re pattern with regexp2.
func compilePython(pattern string, opt regexp2.RegexOptions) (*regexp2.Regexp, error) {
	p := translatePython(pattern)
	re, err := regexp2.Compile(p, opt)
	if err != nil {
		return nil, fmt.Errorf("invalid regex %q: %w", pattern, err)
	}
	return re, nil
}

// translatePython rewrites the few Python re spellings .NET syntax lacks.
func translatePython(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '\\' && i+1 < len(p) {
			if p[i+1] == 'Z' {
				b.WriteString(`\z`)
			} else {
				b.WriteByte(c)
				b.WriteByte(p[i+1])
			}
			i++
			continue
		}
		if strings.HasPrefix(p[i:], "(?P<") {
			b.WriteString("(?<")
			i += 3
			continue
		}
		if strings.HasPrefix(p[i:], "(?P=") {
			j := strings.IndexByte(p[i:], ')')
			if j > 0 {
				b.WriteString(`\k<` + p[i+4:i+j] + `>`)
				i += j
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// matching is coverage.py 7.x's lines_matching: the regex runs over the
// whole text in MULTILINE mode; every line a match spans counts, mapped
// through ml when it is non-nil.
func (lm *lineMatcher) matching(pattern string, ml map[int]int) (map[int]bool, error) {
	out := map[int]bool{}
	if pattern == "" {
		// An empty pattern matches every line.
	}
	re, err := compilePython(pattern, regexp2.Multiline)
	if err != nil {
		return nil, err
	}
	lm.prepare()
	m, err := re.FindRunesMatch(lm.runes)
	for m != nil && err == nil {
		start := m.Index
		end := m.Index + m.Length
		sl := lm.newlinesBefore(start)
		el := lm.newlinesBefore(end)
		for l := sl + 1; l <= el+1; l++ {
			if f, ok := ml[l]; ok {
				out[f] = true
			} else {
				out[l] = true
			}
		}
		m, err = re.FindNextMatch(m)
	}
	if err != nil {
		return nil, errors.New("regex match: " + err.Error())
	}
	return out, nil
}

// perLine is coverage.py 6.x's lines_matching: a search on each line.
func (lm *lineMatcher) perLine(pattern string) (map[int]bool, error) {
	out := map[int]bool{}
	re, err := compilePython(pattern, 0)
	if err != nil {
		return nil, err
	}
	for i, line := range strings.Split(lm.text, "\n") {
		ok, err := re.MatchString(line)
		if err != nil {
			return nil, err
		}
		if ok {
			out[i+1] = true
		}
	}
	return out, nil
}
