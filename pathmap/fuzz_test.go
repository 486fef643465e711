package pathmap

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

// FuzzGlob checks that every pattern either is refused with a
// PatternError or becomes a valid Go regexp, and that matching never
// panics.
func FuzzGlob(f *testing.F) {
	for _, s := range []string{"*/tests/*", "*.py", "a/**/b", "[]a]", "[^]", "[z-a]", `C:\x\*`, "***", "a**", "**", "/", "", "[", "é/[é-ë]"} {
		f.Add(s, "/a/tests/b.py")
	}
	f.Fuzz(func(t *testing.T, pattern, path string) {
		rx, err := globRegex(pattern)
		if err != nil {
			var pe *PatternError
			if !errors.As(err, &pe) {
				t.Fatalf("globRegex(%q) error %v is not a PatternError", pattern, err)
			}
			return
		}
		if _, err := regexp.Compile(`^(?i:` + rx + `)`); err != nil {
			t.Fatalf("globRegex(%q) = %q does not compile: %v", pattern, rx, err)
		}
		g, err := CompileGlobs([]string{pattern})
		if err != nil {
			t.Fatalf("CompileGlobs(%q): %v", pattern, err)
		}
		g.Match(path)
	})
}

// FuzzMap maps arbitrary paths through arbitrary rules.
func FuzzMap(f *testing.F) {
	f.Add("/ci/*/src", "src/", "/ci/a/src/x.py", false)
	f.Add("*/pkg", `C:\r`, `D:\pkg\y.py`, true)
	f.Add("", "", "", true)
	f.Add("./", "./", "./a/b", true)
	f.Fuzz(func(t *testing.T, pattern, result, path string, relative bool) {
		m, err := Compile([]Rule{{result, []string{pattern}}}, Options{RelativeFiles: relative, Dir: "/w", Exists: func(string) bool { return true }})
		if err != nil {
			return
		}
		got, ok := m.Map(path)
		if !ok && !relative && got != path {
			t.Fatalf("unmapped path changed: %q -> %q", path, got)
		}
		if ok && !relative && !strings.HasPrefix(got, "/") {
			t.Fatalf("non-relative mapping gave relative %q", got)
		}
	})
}
