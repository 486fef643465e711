package pathmap

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// This file reproduces the few os.path functions coverage.py's path handling
// is built on, as CPython 3.14 on POSIX defines them. They differ from Go's
// path/filepath in ways that change results: realpath resolves what exists
// and keeps the rest lexically, and ntpath.isabs (used for "absolute on any
// OS") has its 3.13+ meaning.

// sepOf is coverage.py's files.sep: the first slash or backslash in s, or the
// OS separator when there is none.
func sepOf(s string) string {
	if i := strings.IndexAny(s, `/\`); i >= 0 {
		return s[i : i+1]
	}
	return string(filepath.Separator)
}

// ntIsAbs is ntpath.isabs of CPython 3.13 and later: a drive with a root
// ("C:\", "C:/", any character before the colon) or a UNC/device prefix.
// CPython 3.12 and earlier also called "\x" and "/x" absolute.
func ntIsAbs(s string) bool {
	r := []rune(s)
	if len(r) > 3 {
		r = r[:3]
	}
	t := strings.ReplaceAll(string(r), "/", `\`)
	tr := []rune(t)
	if len(tr) >= 3 && tr[1] == ':' && tr[2] == '\\' {
		return true
	}
	return strings.HasPrefix(t, `\\`)
}

// isAbsAnywhere is coverage.py's isabs_anywhere.
func isAbsAnywhere(s string) bool {
	return ntIsAbs(s) || strings.HasPrefix(s, "/")
}

// normpath is posixpath.normpath.
func normpath(p string) string {
	if p == "" {
		return "."
	}
	initial := 0
	if strings.HasPrefix(p, "/") {
		initial = 1
		if strings.HasPrefix(p, "//") && !strings.HasPrefix(p, "///") {
			initial = 2
		}
	}
	var out []string
	for _, c := range strings.Split(p, "/") {
		if c == "" || c == "." {
			continue
		}
		if c != ".." || (initial == 0 && len(out) == 0) || (len(out) > 0 && out[len(out)-1] == "..") {
			out = append(out, c)
		} else if len(out) > 0 {
			out = out[:len(out)-1]
		}
	}
	s := strings.Repeat("/", initial) + strings.Join(out, "/")
	if s == "" {
		return "."
	}
	return s
}

// abspath is posixpath.abspath with cwd as the current directory.
func abspath(p, cwd string) string {
	if !strings.HasPrefix(p, "/") {
		if cwd == "/" {
			p = "/" + p
		} else {
			p = cwd + "/" + p
		}
	}
	return normpath(p)
}

// lstatFunc is os.Lstat; tests may replace it.
var lstatFunc = os.Lstat

// realpath is posixpath.realpath(strict=False) with cwd as the current
// directory: symlinks are resolved as far as the path exists, the rest is
// kept as written, ".." removes the last resolved component.
func realpath(p, cwd string) string {
	path := "/"
	if !strings.HasPrefix(p, "/") {
		path = cwd
	}
	rest := reverse(strings.Split(p, "/"))
	seen := map[string]string{}
	const marker = "\x00symlink-done"
	for len(rest) > 0 {
		name := rest[len(rest)-1]
		rest = rest[:len(rest)-1]
		if name == marker {
			link := rest[len(rest)-1]
			rest = rest[:len(rest)-1]
			seen[link] = path
			continue
		}
		if name == "" || name == "." {
			continue
		}
		if name == ".." {
			i := strings.LastIndex(path, "/")
			if i <= 0 {
				path = "/"
			} else {
				path = path[:i]
			}
			continue
		}
		newpath := path + "/" + name
		if path == "/" {
			newpath = "/" + name
		}
		fi, err := lstatFunc(newpath)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			path = newpath
			continue
		}
		if done, ok := seen[newpath]; ok {
			if done != "" {
				path = done
				continue
			}
			// A symlink loop: non-strict realpath goes on lexically.
			path = newpath
			continue
		}
		target, err := os.Readlink(newpath)
		if err != nil {
			path = newpath
			continue
		}
		seen[newpath] = ""
		if strings.HasPrefix(target, "/") {
			path = "/"
		}
		rest = append(rest, newpath, marker)
		rest = append(rest, reverse(strings.Split(target, "/"))...)
	}
	return path
}

func reverse(s []string) []string {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
	return s
}

// absFile is coverage.py's files.abs_file on POSIX.
func absFile(p, cwd string) string {
	return abspath(realpath(p, cwd), cwd)
}

// getwd returns dir, or the process's working directory when dir is "".
func getwd(dir string) string {
	if dir != "" {
		if !filepath.IsAbs(dir) {
			if a, err := filepath.Abs(dir); err == nil {
				return a
			}
		}
		return dir
	}
	d, err := os.Getwd()
	if err != nil {
		return "/"
	}
	return d
}
