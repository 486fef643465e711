// Package filesel owns which files a run measures: coverage.py's choice in
// should_trace (inorout.py) from [run] source, source_pkgs, source_dirs,
// include, omit and cover_pylib, and its standing exclusions of the
// interpreter's standard library and third-party directories.
//
// coverage.py decides inside each measured process. covkit's lean engine
// makes the cheap part of that choice there (directory prefixes on the
// paths the process sees) and records a superset; a Selector makes the
// exact choice afterwards, on canonical paths, with the facts each process
// recorded about its interpreter.
package filesel

import (
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/covkit/covkit/pathmap"
	"github.com/covkit/covkit/releases"
)

// Config is the part of a run's configuration that chooses files.
type Config struct {
	Source, SourcePkgs, SourceDirs []string
	Include, Omit                  []string
	CoverPylib                     bool
}

// Selector decides which measured files a run keeps.
type Selector struct {
	dirs    *pathmap.TreeMatcher // source directories, nil without
	pkgs    *pathmap.ModuleMatcher
	include *pathmap.GlobMatcher
	omit    *pathmap.GlobMatcher
	cfg     Config
	// SourceDirs and SourcePkgs are the [run] source entries sorted as
	// coverage.py sorts them (directories canonical).
	SourceDirs, SourcePkgs []string
}

// New builds the selector for cfg, relative paths resolved against dir.
func New(cfg Config, dir string) (*Selector, error) {
	s := &Selector{cfg: cfg}
	var err error
	s.SourceDirs, s.SourcePkgs, err = pathmap.SplitSource(cfg.Source, cfg.SourcePkgs, cfg.SourceDirs, dir)
	if err != nil {
		return nil, err
	}
	if len(s.SourceDirs) > 0 {
		s.dirs = pathmap.NewTreeMatcher(s.SourceDirs, dir)
	}
	if len(s.SourcePkgs) > 0 {
		s.pkgs = pathmap.NewModuleMatcher(s.SourcePkgs)
	}
	if len(cfg.Include) > 0 {
		if s.include, err = pathmap.NewGlobMatcher(cfg.Include, dir); err != nil {
			return nil, err
		}
	}
	if len(cfg.Omit) > 0 {
		if s.omit, err = pathmap.NewGlobMatcher(cfg.Omit, dir); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Mode is how a measuring process pre-selects files, before a Selector
// decides exactly.
type Mode string

const (
	// ModeDefault skips the interpreter's standard library (unless
	// cover_pylib) and third-party directories.
	ModeDefault Mode = "default"
	// ModeSource keeps only files under source directories or in source
	// packages.
	ModeSource Mode = "source"
	// ModeAll keeps every real file: include patterns decide afterwards.
	ModeAll Mode = "all"
)

// Mode returns how processes pre-select files for this configuration.
func (s *Selector) Mode() Mode {
	switch {
	case s.dirs != nil || s.pkgs != nil:
		return ModeSource
	case s.include != nil:
		return ModeAll
	}
	return ModeDefault
}

// Interp is what a measuring process recorded about its interpreter.
type Interp struct {
	Pylib, Third []string // standard library and third-party directories
}

// Keep reports whether coverage.py would measure the file at path
// (canonical: absolute, symlinks resolved) holding module (its dotted
// name, "" if it ran as __main__ with no spec), in a process whose
// interpreter is described by in.
func (s *Selector) Keep(path, module string, in Interp) bool {
	if !utf8.ValidString(path) {
		return false // coverage.py: "non-encodable filename"
	}
	if module == "" {
		module = moduleFromPath(path)
	}
	switch {
	case s.dirs != nil || s.pkgs != nil:
		byPkg := s.pkgs != nil && s.pkgs.Match(module)
		if !byPkg && !(s.dirs != nil && s.dirs.Match(path)) {
			return false
		}
		// Inside the source but installed as third-party: measured only if
		// the source itself lies there (a package found there, or a
		// source directory inside a third-party directory).
		if under(path, in.Third) && !byPkg && !under(path, s.sourceInThird(in)) {
			return false
		}
	case s.include != nil:
		if !s.include.Match(path) {
			return false
		}
	default:
		if under(path, in.Third) {
			return false
		}
		if !s.cfg.CoverPylib && under(path, in.Pylib) {
			return false
		}
	}
	return s.omit == nil || !s.omit.Match(path)
}

// sourceInThird lists the source directories that lie in third-party
// directories.
func (s *Selector) sourceInThird(in Interp) []string {
	var out []string
	for _, d := range s.SourceDirs {
		if under(d, in.Third) {
			out = append(out, d)
		}
	}
	return out
}

// under is coverage.py's TreeMatcher on already canonical paths.
func under(path string, dirs []string) bool {
	for _, d := range dirs {
		d = strings.TrimSuffix(d, "/")
		if strings.HasPrefix(path, d) && (len(path) == len(d) || path[len(d)] == '/') {
			return true
		}
	}
	return false
}

// moduleFromPath is coverage.py's fallback for a __main__ module with no
// spec: inspect.getmodulename of the file, or "__main__".
func moduleFromPath(path string) string {
	base := filepath.Base(path)
	for _, suf := range []string{".py", ".pyc"} {
		if strings.HasSuffix(base, suf) && len(base) > len(suf) {
			return strings.TrimSuffix(base, suf)
		}
	}
	return "__main__"
}

// Rules names how a coverage.py version tells the interpreter's own files
// (standard library, third-party) from the project's, when no source is
// configured.
type Rules string

const (
	// RulesModules: before 7.13.1, the standard library is the directories
	// of a few standard modules (os, inspect, re, ...), and third-party the
	// platlib, purelib and scripts directories of the sysconfig schemes
	// named for the OS ("posix_prefix", ...): Debian's deb_system scheme,
	// /usr/lib/python3/dist-packages, is not among them, so those packages
	// are measured.
	RulesModules Rules = "mods"
	// RulesSysconfig: 7.13.1 and 7.13.2 take both from every scheme.
	RulesSysconfig Rules = "sysconfig"
	// RulesVenv: since 7.13.3, every directory on sys.path inside a
	// virtualenv is third-party as well.
	RulesVenv Rules = "venv"
)

// RulesFor returns the rules of coverage.py version v ("7.6.1"); an
// unknown version gets the newest rules.
func RulesFor(v string) Rules {
	ver, err := releases.Parse(v)
	switch {
	case err != nil:
		return RulesVenv
	case ver.Less(releases.Version{Major: 7, Minor: 13, Patch: 1}):
		return RulesModules
	case ver.Less(releases.Version{Major: 7, Minor: 13, Patch: 3}):
		return RulesSysconfig
	}
	return RulesVenv
}

// OmitDirs returns, for the omit patterns of the form "*/DIR/*" (DIR with
// no wildcard), the DIRs: every path that contains "/DIR/" is omitted,
// whatever coverage.py version matches it (a leading "*/" matches any
// prefix, a trailing "/*" any suffix, in fnmatch's translation and in
// 7.x's globs alike). A measuring process may skip such files outright,
// instead of tracing what the merge drops: the run's cheapest big saving
// when a project omits vendored or generated trees. Other patterns are
// left to Keep.
func (s *Selector) OmitDirs() []string {
	var out []string
	for _, p := range s.cfg.Omit {
		d, ok := strings.CutPrefix(p, "*/")
		if !ok {
			continue
		}
		if d, ok = strings.CutSuffix(d, "/*"); !ok || d == "" || strings.ContainsAny(d, "*?[]\\") ||
			strings.HasPrefix(d, "/") || strings.HasSuffix(d, "/") || strings.Contains(d, "//") {
			continue
		}
		out = append(out, d)
	}
	return out
}
