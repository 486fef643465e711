package pathmap

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
)

// Rule is one [paths] entry: paths matching any of Patterns are rewritten to
// start with Result instead. In a coverage config file Result is the first
// value of the entry and Patterns the rest.
type Rule struct {
	Result   string
	Patterns []string
}

// ParseFlag parses a --paths flag value, "RESULT=PATTERN,PATTERN...". The
// result is everything before the first "="; patterns are comma separated,
// stripped of spaces, and empty ones dropped, like a config list value.
func ParseFlag(s string) (Rule, error) {
	res, pats, ok := strings.Cut(s, "=")
	res = strings.TrimSpace(res)
	if !ok || res == "" {
		return Rule{}, fmt.Errorf("--paths %q: want RESULT=PATTERN[,PATTERN...]", s)
	}
	r := Rule{Result: res}
	for _, p := range strings.Split(pats, ",") {
		if p = strings.TrimSpace(p); p != "" {
			r.Patterns = append(r.Patterns, p)
		}
	}
	if len(r.Patterns) == 0 {
		return Rule{}, fmt.Errorf("--paths %q: no pattern after %q", s, res+"=")
	}
	for _, p := range r.Patterns {
		if _, _, err := compilePattern(p, true, ""); err != nil {
			return Rule{}, fmt.Errorf("--paths %q: %w", s, err)
		}
	}
	return r, nil
}

// Options change how a Mapper works.
type Options struct {
	// RelativeFiles is coverage.py's [run] relative_files: patterns are not
	// made absolute, results are not canonicalised, and paths no rule maps
	// are made relative to Dir, with an implicit rule for their first
	// directory.
	RelativeFiles bool
	// Exists says whether a mapped path exists; a rule whose result does not
	// exist is skipped. Nil means coverage.py's source_exists: the file, or
	// the zip/wheel/egg/pex/par archive it is inside, exists (relative paths
	// against Dir).
	Exists func(string) bool
	// Dir stands for the working directory coverage.py runs in: relative
	// patterns and results are resolved against it. "" is the process's.
	Dir string
	// SysPath is searched, after Dir, for a relative result that does not
	// exist in Dir, like canonical_filename searches sys.path.
	SysPath []string
}

type alias struct {
	pattern string // as written, for messages and the implicit-rule check
	re      *regexp.Regexp
	result  string
}

// Mapper maps paths through rules as coverage.py's PathAliases does. It is
// safe for concurrent use; with RelativeFiles it learns implicit rules as it
// goes, so the order of Map calls can matter (as it does in coverage.py).
type Mapper struct {
	mu      sync.Mutex
	aliases []alias
	opts    Options
	cwd     string
	relDir  string
	err     error
}

// New builds a Mapper. A pattern coverage.py would refuse is left out and
// reported by Err; use Compile to fail instead.
func New(rules []Rule, opts Options) *Mapper {
	m, _ := build(rules, opts, false)
	return m
}

// Compile is New that fails on the first pattern coverage.py would refuse.
func Compile(rules []Rule, opts Options) (*Mapper, error) {
	return build(rules, opts, true)
}

func build(rules []Rule, opts Options, strict bool) (*Mapper, error) {
	m := &Mapper{opts: opts, cwd: getwd(opts.Dir)}
	m.relDir = absFile(".", m.cwd)
	if !strings.HasSuffix(m.relDir, "/") {
		m.relDir += "/"
	}
	var errs []error
	for _, r := range rules {
		for _, p := range r.Patterns {
			if err := m.add(p, r.Result); err != nil {
				err = fmt.Errorf("[paths] pattern %q: %w", p, err)
				if strict {
					return nil, err
				}
				errs = append(errs, err)
			}
		}
	}
	m.err = errors.Join(errs...)
	return m, nil
}

// Err reports the patterns New left out.
func (m *Mapper) Err() error { return m.err }

// compilePattern normalises a pattern as PathAliases.add does and compiles
// it to a case-insensitive regexp matching a path prefix.
func compilePattern(pattern string, relative bool, cwd string) (string, *regexp.Regexp, error) {
	psep := sepOf(pattern)
	if len([]rune(pattern)) > 1 {
		pattern = strings.TrimRight(pattern, `\/`)
	}
	if strings.HasSuffix(pattern, "*") {
		return "", nil, &PatternError{Pattern: pattern, Msg: "Pattern must not end with wildcards."}
	}
	if !relative && !strings.HasPrefix(pattern, "*") && !isAbsAnywhere(pattern+psep) {
		pattern = absFile(pattern, cwd)
	}
	if !strings.HasSuffix(pattern, psep) {
		pattern += psep
	}
	rx, err := globRegex(pattern)
	if err != nil {
		return "", nil, err
	}
	re, err := regexp.Compile(`^(?i:` + rx + `)`)
	if err != nil {
		return "", nil, fmt.Errorf("pattern %q: %w", pattern, err)
	}
	return pattern, re, nil
}

func (m *Mapper) add(pattern, result string) error {
	_, re, err := compilePattern(pattern, m.opts.RelativeFiles, m.cwd)
	if err != nil {
		return err
	}
	rsep := sepOf(result)
	result = strings.TrimRight(result, `\/`) + rsep
	m.aliases = append(m.aliases, alias{pattern: pattern, re: re, result: result})
	return nil
}

// Map maps path through the rules: the first rule whose pattern matches a
// prefix of path and whose result exists wins; the matched prefix is
// replaced by the rule's result, and the path's separators by the result's.
// ok is false when no rule applied; path is then returned unchanged, except
// that with RelativeFiles it is made relative to Dir.
func (m *Mapper) Map(path string) (mapped string, ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.mapLocked(path)
}

func (m *Mapper) mapLocked(path string) (string, bool) {
	for _, a := range m.aliases {
		loc := a.re.FindStringIndex(path)
		if loc == nil {
			continue
		}
		// coverage.py replaces the first occurrence of the matched text,
		// which is the prefix itself (7.6 and earlier replaced them all).
		newp := a.result + path[loc[1]:]
		newp = strings.ReplaceAll(newp, sepOf(path), sepOf(a.result))
		if !m.opts.RelativeFiles {
			newp = m.canonical(newp)
		}
		dotStart := (strings.HasPrefix(a.result, "./") || strings.HasPrefix(a.result, `.\`)) && len(a.result) > 2
		if (strings.HasPrefix(newp, "./") || strings.HasPrefix(newp, `.\`)) && !dotStart {
			newp = newp[2:]
		}
		if !m.exists(newp) {
			continue
		}
		return newp, true
	}
	if !m.opts.RelativeFiles {
		return path, false
	}
	path = strings.TrimPrefix(path, m.relDir)
	if isAbsAnywhere(path) {
		return path, false
	}
	i := strings.IndexAny(path, `/\`)
	if i < 0 {
		return path, false
	}
	dir1 := path[:i]
	pattern := "*/" + dir1
	for _, a := range m.aliases {
		if a.pattern == pattern {
			return path, false
		}
	}
	re := regexp.MustCompile(`^(?:.*[\\/])?` + quoteLiteral(dir1) + `[\\/]`)
	m.aliases = append(m.aliases, alias{pattern: pattern, re: re, result: dir1 + string(filepath.Separator)})
	return m.mapLocked(path)
}

// canonical is coverage.py's canonical_filename, with Dir and SysPath
// standing for the working directory and sys.path.
func (m *Mapper) canonical(p string) string {
	cf := p
	if !strings.HasPrefix(p, "/") {
		for _, d := range append([]string{"."}, m.opts.SysPath...) {
			f := p
			if d != "" {
				f = strings.TrimSuffix(d, "/") + "/" + p
				if d == "/" {
					f = "/" + p
				}
			}
			if statExists(abspath(f, m.cwd)) {
				cf = f
				break
			}
		}
	}
	return absFile(cf, m.cwd)
}

func (m *Mapper) exists(p string) bool {
	if m.opts.Exists != nil {
		return m.opts.Exists(p)
	}
	return SourceExists(abspath(p, m.cwd))
}

func statExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// SourceExists is coverage.py's source_exists: p exists, or p is inside a
// .zip, .whl, .egg, .pex or .par archive that exists.
func SourceExists(p string) bool {
	if statExists(p) {
		return true
	}
	sep := sepOf(p)
	for _, ext := range []string{".zip", ".whl", ".egg", ".pex", ".par"} {
		if i := strings.Index(p, ext+sep); i >= 0 {
			if statExists(p[:i] + ext) {
				return true
			}
		}
	}
	return false
}

// Func returns a memoised Map, as coverage.py's combine uses
// (functools.cache(aliases.map)): once a path has been mapped it keeps its
// first answer even if implicit relative_files rules learnt later would map
// it differently. Reporting's implicit remap (with [paths] set) uses Map
// itself, uncached.
func (m *Mapper) Func() func(string) string {
	var mu sync.Mutex
	cache := map[string]string{}
	return func(p string) string {
		mu.Lock()
		defer mu.Unlock()
		if v, ok := cache[p]; ok {
			return v
		}
		v, _ := m.Map(p)
		cache[p] = v
		return v
	}
}

// AbsFile is coverage.py's files.abs_file on POSIX: path made absolute
// against dir ("" for the working directory), symlinks resolved as far as
// the path exists, "." and ".." removed.
func AbsFile(path, dir string) string { return absFile(path, getwd(dir)) }

// RelativeDir is coverage.py's RELATIVE_DIR for dir: AbsFile(dir) with a
// trailing slash. relative_filename strips it from paths that start with it.
func RelativeDir(dir string) string {
	d := absFile(".", getwd(dir))
	if !strings.HasSuffix(d, "/") {
		d += "/"
	}
	return d
}

// CanonicalFilename is coverage.py's files.canonical_filename with dir as
// the working directory and sysPath standing for sys.path.
func CanonicalFilename(path, dir string, sysPath []string) string {
	m := &Mapper{cwd: getwd(dir), opts: Options{SysPath: sysPath}}
	return m.canonical(path)
}

// quoteLiteral is regexp.QuoteMeta that also survives invalid UTF-8 (each
// bad byte matches as U+FFFD does).
func quoteLiteral(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteString(goLiteral(r))
	}
	return b.String()
}
