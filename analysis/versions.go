package analysis

import (
	"cmp"
	"fmt"

	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/covkit/covkit/releases"
	"github.com/covkit/covkit/sqlitecov"
)

// Versions say how to find what each file of the data is analysed as.
//
// The rule: a version given here (the --python-version and
// --coverage-version flags) wins; else what the data records (covkit's
// sqlitecov.MeasuredKey, or the coverage.py version coverage.py writes in
// its meta table); else the best evidence: the cpython-3XX tags of the
// bytecode caches beside the measured files, lib/python3.X in their paths,
// the interpreters on PATH. A file measured by several sources (data merged
// from a matrix of interpreters) is analysed as the newest of them. A
// choice that is a guess is announced through the warn function. See
// docs/versions.md.
type Versions struct {
	// Python and Coverage override the data ("" : from the data).
	Python, Coverage string
	// Interpreters lists what the interpreters on PATH are (see
	// ProbeInterpreters); nil probes nothing.
	Interpreters func() []Interpreter
	// Glob lists the files matching a pattern (the bytecode caches); nil
	// is filepath.Glob.
	Glob func(pattern string) ([]string, error)
}

// Interpreter is a Python found on PATH.
type Interpreter struct {
	Path     string
	Python   releases.Version
	Coverage string // coverage.py's version there, "" without it
}

// Measured is what the report says measured the data: each distinct
// (CPython, coverage.py) the files were analysed as, newest first.
type Measured struct {
	Targets []Target
	// Coverage are the coverage.py versions as the data names them
	// ("6.5.0"), newest first (the flag's when the data does not say; a flag
	// changes the rules a file is analysed with, not what measured it).
	Coverage []string
	// By describes each source ("CPython 3.11, coverage.py 6.5.0") when
	// Coverage alone does not say what measured: several sources, or
	// covkit's own engine. Empty otherwise.
	By []string
}

// resolveTargets decides the target of every file of d.
func resolveTargets(d *sqlitecov.Data, v Versions, warn func(string)) (func(string) Target, Measured, error) {
	var pyFlag, covFlag releases.Version
	var err error
	if v.Python != "" {
		if pyFlag, err = releases.ParsePython(v.Python); err != nil {
			return nil, Measured{}, err
		}
	}
	if v.Coverage != "" {
		if covFlag, err = releases.ParseCoverage(v.Coverage); err != nil {
			return nil, Measured{}, err
		}
	}
	srcs, err := d.Measured()
	if err != nil {
		return nil, Measured{}, err
	}
	ev := &evidence{v: v, d: d, warn: warn}
	type group struct {
		t     Target
		files []string
		cov   string
		by    string
	}
	groups := make([]group, len(srcs))
	for i, s := range srcs {
		files := s.Files
		if files == nil {
			files = d.Paths()
		}
		t := Target{Python: pyFlag, Coverage: covFlag}
		if t.Coverage.IsZero() {
			t.Coverage = ev.coverage(s)
		}
		if t.Python.IsZero() {
			t.Python = ev.python(s, files, t.Coverage)
		}
		by := fmt.Sprintf("CPython %s, coverage.py %s", t.Python, cmp.Or(s.Coverage, t.Coverage.String()))
		if s.Engine != "" {
			by = fmt.Sprintf("CPython %s, %s engine (coverage.py %s rules)", t.Python, s.Engine, t.Coverage)
		}
		groups[i] = group{t, files, s.Coverage, by}
	}
	engine := false
	for _, s := range srcs {
		engine = engine || s.Engine != ""
	}
	byFile := map[string]Target{}
	var m Measured
	for _, g := range groups {
		for _, f := range g.files {
			if old, ok := byFile[f]; !ok || newer(g.t, old) {
				byFile[f] = g.t
			}
		}
		if !slices.Contains(m.Targets, g.t) {
			m.Targets = append(m.Targets, g.t)
		}
		if g.cov != "" && !slices.Contains(m.Coverage, g.cov) {
			m.Coverage = append(m.Coverage, g.cov)
		}
		if !slices.Contains(m.By, g.by) {
			m.By = append(m.By, g.by)
		}
	}
	if len(m.By) < 2 && !engine {
		m.By = nil
	}
	slices.Sort(m.By)
	if len(m.Coverage) == 0 && !covFlag.IsZero() {
		m.Coverage = []string{covFlag.String()}
	}
	slices.SortFunc(m.Targets, func(a, b Target) int { return cmpTarget(b, a) })
	slices.SortFunc(m.Coverage, func(a, b string) int {
		va, _ := releases.Parse(a)
		vb, _ := releases.Parse(b)
		return vb.Compare(va)
	})
	if len(m.Targets) > 1 {
		warn(fmt.Sprintf("the data was measured by %s: each file is analysed as the newest of them that measured it", describeTargets(m.Targets)))
	}
	fallback := Target{Python: pyFlag, Coverage: covFlag}
	if len(m.Targets) > 0 {
		fallback = m.Targets[0]
	}
	return func(p string) Target {
		if t, ok := byFile[p]; ok {
			return t
		}
		return fallback
	}, m, nil
}

func cmpTarget(a, b Target) int {
	return cmp.Or(a.Python.Compare(b.Python), a.Coverage.Compare(b.Coverage))
}

func newer(a, b Target) bool { return cmpTarget(a, b) > 0 }

func describeTargets(ts []Target) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = fmt.Sprintf("CPython %s with coverage.py %s", t.Python, t.Coverage)
	}
	return strings.Join(parts, ", ")
}

// evidence finds versions the data does not record.
type evidence struct {
	v      Versions
	d      *sqlitecov.Data
	warn   func(string)
	interp []Interpreter
	probed bool
}

func (e *evidence) interpreters() []Interpreter {
	if !e.probed && e.v.Interpreters != nil {
		e.interp = e.v.Interpreters()
	}
	e.probed = true
	return e.interp
}

// coverage is the coverage.py release of a source: as recorded, else that
// of an interpreter on PATH, else the newest, announced as a guess.
func (e *evidence) coverage(s sqlitecov.Source) releases.Version {
	if v, err := releases.ParseCoverage(s.Coverage); err == nil {
		return v
	}
	for _, in := range e.interpreters() {
		if v, err := releases.ParseCoverage(in.Coverage); err == nil {
			e.warn(fmt.Sprintf("the data does not say which coverage.py measured it: analysing it as coverage.py %s (found with %s on PATH); set --coverage-version to choose", v, in.Path))
			return v
		}
	}
	e.warn(fmt.Sprintf("the data does not say which coverage.py measured it: analysing it as coverage.py %s; set --coverage-version to choose", releases.LatestCoverage))
	return releases.LatestCoverage
}

// pycTag matches a bytecode cache's interpreter tag.
var pycTag = regexp.MustCompile(`\.cpython-3(\d+)[^/]*\.pyc$`)

// libPython matches an interpreter's library directory in a path.
var libPython = regexp.MustCompile(`/lib/python3\.(\d+)/`)

// python is the CPython of a source: as recorded, else from the bytecode
// caches beside its files and lib/python3.X in their paths when they all
// agree, else from the interpreters on PATH (preferring one with the
// source's coverage.py), else the newest CPython, announced as a guess.
func (e *evidence) python(s sqlitecov.Source, files []string, cov releases.Version) releases.Version {
	if v, err := releases.ParsePython(s.Python); err == nil {
		return v
	}
	counts := map[int]int{}
	for _, f := range files {
		for _, minor := range e.tagsBeside(f) {
			counts[minor]++
		}
		if m := libPython.FindStringSubmatch(f); m != nil {
			var minor int
			fmt.Sscan(m[1], &minor)
			counts[minor]++
		}
	}
	if len(counts) == 1 {
		for minor := range counts {
			return releases.Version{Major: 3, Minor: minor}
		}
	}
	candidates := func(v releases.Version) bool { return len(counts) == 0 || counts[v.Minor] > 0 }
	why := "the bytecode caches beside the measured files name several"
	if len(counts) == 0 {
		why = "no bytecode caches beside the measured files"
	}
	ins := e.interpreters()
	for _, pass := range []bool{true, false} {
		for _, in := range ins {
			if !candidates(in.Python) || pass && (in.Coverage == "" || !sameRelease(in.Coverage, cov)) {
				continue
			}
			e.warn(fmt.Sprintf("the data does not say which Python measured it (%s): analysing it as CPython %s, %s on PATH; set --python-version to choose", why, in.Python, in.Path))
			return in.Python
		}
	}
	guess := releases.LatestPython
	if len(counts) > 0 {
		best := 0
		for minor, n := range counts {
			if n > counts[best] || n == counts[best] && minor > best {
				best = minor
			}
		}
		guess = releases.Version{Major: 3, Minor: best}
	} else if !cov.AtLeast(7, 0) {
		guess = releases.Version{Major: 3, Minor: 11} // the newest CPython coverage.py 6.x runs on
	}
	e.warn(fmt.Sprintf("the data does not say which Python measured it (%s): analysing it as CPython %s; set --python-version to choose", why, guess))
	return guess
}

// sameRelease reports whether two coverage.py versions are the same
// major.minor.patch.
func sameRelease(s string, v releases.Version) bool {
	w, err := releases.Parse(s)
	return err == nil && w == v
}

// tagsBeside returns the CPython minor versions of the bytecode caches of
// source file f (__pycache__/NAME.cpython-3XX*.pyc).
func (e *evidence) tagsBeside(f string) []int {
	if !strings.HasSuffix(f, ".py") {
		return nil
	}
	glob := e.v.Glob
	if glob == nil {
		glob = filepath.Glob
	}
	dir, base := filepath.Split(f)
	pattern := filepath.Join(dir, "__pycache__", escapeGlob(strings.TrimSuffix(base, ".py"))+".cpython-3*.pyc")
	matches, _ := glob(pattern)
	var out []int
	for _, m := range matches {
		if t := pycTag.FindStringSubmatch(m); t != nil {
			var minor int
			fmt.Sscan(t[1], &minor)
			if !slices.Contains(out, minor) {
				out = append(out, minor)
			}
		}
	}
	return out
}

func escapeGlob(s string) string {
	return strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`).Replace(s)
}
