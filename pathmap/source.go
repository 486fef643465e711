package pathmap

import "strings"

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
