package pathmap

import (
	"fmt"
	"os"
	"strings"

	"github.com/covkit/covkit/internal/pyrepr"
)

// TreeMatcher matches files that are one of its paths or below one of them,
// as coverage.py 7.16's TreeMatcher does for [run] source directories: both
// sides are made absolute with symlinks resolved, against Dir.
type TreeMatcher struct {
	paths []string
	cwd   string
}

// NewTreeMatcher builds a TreeMatcher for paths, relative ones resolved
// against dir ("" for the working directory).
func NewTreeMatcher(paths []string, dir string) *TreeMatcher {
	t := &TreeMatcher{cwd: getwd(dir)}
	for _, p := range paths {
		t.paths = append(t.paths, absFile(p, t.cwd))
	}
	return t
}

// Match reports whether path is one of the paths or inside one of them.
func (t *TreeMatcher) Match(path string) bool {
	path = absFile(path, t.cwd)
	for _, p := range t.paths {
		if strings.HasPrefix(path, p) && (len(path) == len(p) || path[len(p)] == '/') {
			return true
		}
	}
	return false
}

// ModuleMatcher matches module names that are one of its packages or inside
// one, as coverage.py's ModuleMatcher does for [run] source_pkgs.
type ModuleMatcher struct{ modules []string }

// NewModuleMatcher builds a ModuleMatcher.
func NewModuleMatcher(modules []string) *ModuleMatcher {
	return &ModuleMatcher{modules: append([]string(nil), modules...)}
}

// Match reports whether module is one of the packages or inside one.
func (mm *ModuleMatcher) Match(module string) bool {
	if module == "" {
		return false
	}
	for _, m := range mm.modules {
		if strings.HasPrefix(module, m) && (len(module) == len(m) || module[len(m)] == '.') {
			return true
		}
	}
	return false
}

// SplitSource sorts [run] source entries as coverage.py's InOrOut does:
// an entry that is a directory (relative to dir) joins sourceDirs, any other
// is a package name joining sourcePkgs. The directories come back
// canonicalised (absolute, symlinks resolved); one that is not a directory
// is an error, as in coverage.py ("Source dir is not a directory").
func SplitSource(source, sourcePkgs, sourceDirs []string, dir string) (dirs, pkgs []string, err error) {
	cwd := getwd(dir)
	pkgs = append([]string(nil), sourcePkgs...)
	dirs = append([]string(nil), sourceDirs...)
	for _, s := range source {
		if isDir(abspath(s, cwd)) {
			dirs = append(dirs, s)
		} else {
			pkgs = append(pkgs, s)
		}
	}
	for i, d := range dirs {
		if !isDir(abspath(d, cwd)) {
			return nil, nil, fmt.Errorf("Source dir is not a directory: %s", pyrepr.Str(d))
		}
		m := &Mapper{cwd: cwd}
		dirs[i] = m.canonical(d)
	}
	return dirs, pkgs, nil
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// ParseFlags parses repeated --paths flag values in order.
func ParseFlags(values []string) ([]Rule, error) {
	var rules []Rule
	for _, v := range values {
		r, err := ParseFlag(v)
		if err != nil {
			return nil, err
		}
		rules = append(rules, r)
	}
	return rules, nil
}
