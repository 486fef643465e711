package releases

// The regexes coverage.py's releases use by default (Python re syntax).
const (
	pragmaNoCover  = `#\s*(pragma|PRAGMA)[:\s]?\s*(no|NO)\s*(cover|COVER)`
	pragmaNoBranch = `#\s*(pragma|PRAGMA)[:\s]?\s*(no|NO)\s*(branch|BRANCH)`
	// A line that is only "...": a stub body, alone or after a def's
	// closing parenthesis (7.10.0-7.14.2).
	stubBody = `^\s*(((async )?def .*?)?\)(\s*->.*?)?:\s*)?\.\.\.\s*(#|$)`
	// 7.14.3 also accepts a bracket before the colon, as after a
	// multi-line return annotation ") -> tuple[\n    int\n]: ...".
	stubBodyBrackets = `^\s*(((async )?def .*?)?[\])]+(\s*->.*?)?:\s*)?\.\.\.\s*(#|$)`
	typeChecking     = `if (typing\.)?TYPE_CHECKING:`
	whileConstant    = `while (True|1|False|0):`
	ifConstant       = `if (True|1|False|0):`
)

// Rules are what one coverage.py release does by default when reporting.
type Rules struct {
	// Exclude is DEFAULT_EXCLUDE, the [report] exclude_lines default.
	Exclude []string
	// Partial is DEFAULT_PARTIAL, the [report] partial_branches default.
	Partial []string
	// PartialAlways is DEFAULT_PARTIAL_ALWAYS, the [report]
	// partial_branches_always default.
	PartialAlways []string
	// ExcludeAlso and PartialAlso say whether the release reads
	// [report] exclude_also (added in 7.2.0) and partial_also (7.10.0);
	// older releases ignore them (with an "Unrecognized option" warning).
	ExcludeAlso, PartialAlso bool
}

// CoverageRules returns the rules of coverage.py release v (zero means
// LatestCoverage). The history, from coverage.py's change log and sources:
//
//   - 6.5-7.9: exclude "pragma: no cover"; partial "pragma: no branch";
//     always partial "while (True|1|False|0):" and "if (True|1|False|0):".
//   - 7.2.0: [report] exclude_also.
//   - 7.10.0: stub bodies ("...") excluded by default; "if TYPE_CHECKING:"
//     always partial; [report] partial_also.
//   - 7.10.1: "if TYPE_CHECKING:" excluded instead of always partial.
//   - 7.14.3: the stub rule also matches after a closing bracket.
func CoverageRules(v Version) Rules {
	if v.IsZero() {
		v = LatestCoverage
	}
	r := Rules{
		Exclude:       []string{pragmaNoCover},
		Partial:       []string{pragmaNoBranch},
		PartialAlways: []string{whileConstant, ifConstant},
		ExcludeAlso:   v.AtLeast(7, 2),
		PartialAlso:   v.AtLeast(7, 10),
	}
	if !v.AtLeast(7, 10) {
		return r
	}
	stub := stubBody
	if !v.Less(Version{Major: 7, Minor: 14, Patch: 3}) {
		stub = stubBodyBrackets
	}
	r.Exclude = append(r.Exclude, stub)
	if v == (Version{Major: 7, Minor: 10}) {
		r.PartialAlways = append(r.PartialAlways, typeChecking)
	} else {
		r.Exclude = append(r.Exclude, typeChecking)
	}
	return r
}

// Regexes are the three regex lists a report uses, final for one release.
type Regexes struct {
	// Exclude: exclude_lines (or the default) followed by exclude_also.
	Exclude []string
	// Partial: partial_branches (or the default) followed by partial_also.
	Partial []string
	// PartialAlways: partial_branches_always (or the default).
	PartialAlways []string
}

// Configured are the regex options of a configuration as written: a nil
// list is one the configuration does not set.
type Configured struct {
	ExcludeLines, ExcludeAlso                   []string
	PartialBranches, PartialAlso, PartialAlways []string
}

// Regexes resolves a configuration's regex options the way this release
// reads them: its own defaults for options not set, and exclude_also and
// partial_also only where the release knows them.
func (r Rules) Regexes(c Configured) Regexes {
	pick := func(set, def []string) []string {
		if set != nil {
			return append([]string{}, set...)
		}
		return append([]string{}, def...)
	}
	out := Regexes{
		Exclude:       pick(c.ExcludeLines, r.Exclude),
		Partial:       pick(c.PartialBranches, r.Partial),
		PartialAlways: pick(c.PartialAlways, r.PartialAlways),
	}
	if r.ExcludeAlso {
		out.Exclude = append(out.Exclude, c.ExcludeAlso...)
	}
	if r.PartialAlso {
		out.Partial = append(out.Partial, c.PartialAlso...)
	}
	return out
}
