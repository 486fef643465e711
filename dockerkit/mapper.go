package dockerkit

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// HostPathMapper returns a function mapping a path measured in a container
// of one of images to the host file it came from: first through the
// images' covkit.paths labels (longest container prefix first, the build
// context as recorded, or hostRoot when that context is not on this host),
// then by suffix matching against the files under hostRoot. A result is
// returned only for a file that exists on the host. User [paths] rules are
// the caller's to try first: they win where given.
func HostPathMapper(images []ImageInfo, hostRoot string) func(string) (string, bool) {
	type rule struct {
		container string
		host      []string // candidate host paths, in order
	}
	var rules []rule
	for _, im := range images {
		bases := []string{}
		if im.Context != "" {
			if fi, err := os.Stat(im.Context); err == nil && fi.IsDir() {
				bases = append(bases, im.Context)
			}
		}
		if hostRoot != "" && (len(bases) == 0 || bases[0] != hostRoot) {
			bases = append(bases, hostRoot)
		}
		for _, m := range im.Paths {
			r := rule{container: path.Clean(m.Container)}
			if filepath.IsAbs(m.Host) {
				r.host = []string{filepath.Clean(m.Host)}
			} else {
				for _, b := range bases {
					r.host = append(r.host, filepath.Join(b, filepath.FromSlash(m.Host)))
				}
			}
			rules = append(rules, r)
		}
	}
	// Longest container prefix first; stable keeps label order (later
	// instructions first) among equals.
	sort.SliceStable(rules, func(i, j int) bool { return len(rules[i].container) > len(rules[j].container) })
	idx := &suffixIndex{root: hostRoot}
	return func(p string) (string, bool) {
		cp := path.Clean(filepath.ToSlash(p))
		for _, r := range rules {
			rest, ok := underPath(cp, r.container)
			if !ok {
				continue
			}
			for _, h := range r.host {
				cand := h
				if rest != "" {
					cand = filepath.Join(h, filepath.FromSlash(rest))
				}
				if isFile(cand) {
					return cand, true
				}
			}
		}
		if hostRoot == "" {
			return "", false
		}
		return idx.lookup(cp)
	}
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// suffixIndex finds host files by the longest run of trailing path
// components they share with a container path.
type suffixIndex struct {
	root   string
	once   sync.Once
	byBase map[string][]string // basename -> host paths (slash form, relative to root)
}

// skipDirs are never searched: tool caches, VCS data, virtual environments.
var skipDirs = map[string]bool{
	".git": true, ".hg": true, ".svn": true, "__pycache__": true, "node_modules": true,
	".tox": true, ".nox": true, ".venv": true, "venv": true, ".mypy_cache": true,
	".pytest_cache": true, ".ruff_cache": true, "site-packages": true, "dist-packages": true,
}

const maxIndexed = 200000

func (x *suffixIndex) build() {
	x.byBase = map[string][]string{}
	n := 0
	filepath.WalkDir(x.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if p != x.root && (skipDirs[d.Name()] || strings.HasPrefix(d.Name(), ".covkit")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if n++; n > maxIndexed {
			return filepath.SkipAll
		}
		rel, _ := filepath.Rel(x.root, p)
		rel = filepath.ToSlash(rel)
		x.byBase[d.Name()] = append(x.byBase[d.Name()], rel)
		return nil
	})
}

// systemPath reports container paths that are the interpreter's own or
// installed packages: a bare basename match must not pull them in.
func systemPath(p string) bool {
	return strings.Contains(p, "/site-packages/") || strings.Contains(p, "/dist-packages/") ||
		strings.HasPrefix(p, "/usr/lib/python") || strings.HasPrefix(p, "/usr/local/lib/python") ||
		strings.HasPrefix(p, "/opt/conda/")
}

func (x *suffixIndex) lookup(cp string) (string, bool) {
	x.once.Do(x.build)
	comps := strings.Split(strings.TrimPrefix(cp, "/"), "/")
	cands := x.byBase[comps[len(comps)-1]]
	best, bestN, tie := "", 0, false
	for _, c := range cands {
		hc := strings.Split(c, "/")
		n := 0
		for n < len(hc) && n < len(comps) && hc[len(hc)-1-n] == comps[len(comps)-1-n] {
			n++
		}
		switch {
		case n > bestN:
			best, bestN, tie = c, n, false
		case n == bestN:
			tie = true
		}
	}
	if best == "" || tie {
		return "", false
	}
	// One shared component (the basename) is weak evidence: accept it only
	// for a basename unique in the tree and a path that is not the
	// interpreter's own.
	if bestN < 2 && (len(cands) != 1 || systemPath(cp)) {
		return "", false
	}
	return filepath.Join(x.root, filepath.FromSlash(best)), true
}
