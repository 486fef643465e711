package covconfig

import "github.com/covkit/covkit/pathmap"

// PathRules turns [paths] into pathmap rules the way coverage.py's
// _make_aliases does: each entry's first value is the result, the others
// its patterns; an entry with a single value adds no rule.
func (c *Config) PathRules() []pathmap.Rule {
	var rules []pathmap.Rule
	for _, e := range c.Paths {
		if len(e.Patterns) < 2 {
			continue
		}
		rules = append(rules, pathmap.Rule{Result: e.Patterns[0], Patterns: append([]string(nil), e.Patterns[1:]...)})
	}
	return rules
}
