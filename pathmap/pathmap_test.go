package pathmap

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/bmatcuk/doublestar/v4"
)

func TestGlobPyRegex(t *testing.T) {
	// Expected values are what coverage.py 7.16's _glob_to_regex returns.
	tests := []struct{ pattern, want, err string }{
		{"*/tests/*", `(.*[/\\])?tests[/\\].*`, ""},
		{"*.py", `(.*[/\\])?[^/\\]*\.py`, ""},
		{"src/**/x.py", `src[/\\](.*[/\\])?x\.py`, ""},
		{`C:\proj\*`, `C\:[/\\]proj[/\\].*`, ""},
		{"a?c/[a-f]x", `a[^/\\]c[/\\][a-f]x`, ""},
		{"/a b/$x", `[/\\]a\ b[/\\]\$x`, ""},
		{"**/x", `(.*[/\\])?x`, ""},
		{"***/x", "", "File pattern can't include '***'"},
		{"a/b**", "", "File pattern can't include 'b**'"},
		{"a/**b", "", "File pattern can't include '**b'"},
		{"a/**/**", "", "File pattern can't include '**/**'"},
		{"a[b", "", "File pattern can't include '['"},
		{"a]b", "", "File pattern can't include ']'"},
		{"x\ny", "", "File pattern can't include a newline"},
	}
	for _, tt := range tests {
		got, err := globPyRegex(tt.pattern)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("globPyRegex(%q) error = %v, want %q", tt.pattern, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("globPyRegex(%q) = %q, %v; want %q", tt.pattern, got, err, tt.want)
		}
	}
}

func TestPyRegexToGo(t *testing.T) {
	tests := []struct{ py, match, nomatch, err string }{
		{`[]a]`, "]", "b", ""},  // "]" first is a member
		{`[^]a]`, "b", "a", ""}, // also after "^"
		{`[a-]`, "-", "b", ""},  // trailing "-" is literal
		{`[--/]`, ".", "a", ""}, // range from "-"
		{`[\\/]`, `\`, "a", ""}, // escaped backslash
		{`[!a]`, "!", "b", ""},  // "!" is no negation in a regex
		{`[z-a]`, "", "", "bad character range z-a"},
		{`[abc`, "", "", "unterminated character set"},
		{`\.\ \é`, ". é", "x x", ""},
	}
	for _, tt := range tests {
		got, err := pyRegexToGo(tt.py)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("pyRegexToGo(%q) error = %v, want %q", tt.py, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("pyRegexToGo(%q): %v", tt.py, err)
			continue
		}
		re := regexp.MustCompile(`^(?:` + got + `)\z`)
		if !re.MatchString(tt.match) || re.MatchString(tt.nomatch) {
			t.Errorf("pyRegexToGo(%q) = %q: match(%q)=%v match(%q)=%v", tt.py, got, tt.match, re.MatchString(tt.match), tt.nomatch, re.MatchString(tt.nomatch))
		}
	}
}

func TestParseFlag(t *testing.T) {
	tests := []struct {
		in   string
		want Rule
		err  bool
	}{
		{"src=/ci/*/src", Rule{"src", []string{"/ci/*/src"}}, false},
		{" src/ = a , ,b,", Rule{"src/", []string{"a", "b"}}, false},
		{`C:\src=/x=y`, Rule{`C:\src`, []string{"/x=y"}}, false},
		{"src", Rule{}, true},
		{"=a", Rule{}, true},
		{"src=", Rule{}, true},
		{"src= , ", Rule{}, true},
		{"src=/ci/*", Rule{}, true},
		{"src=a***", Rule{}, true},
	}
	for _, tt := range tests {
		got, err := ParseFlag(tt.in)
		if (err != nil) != tt.err {
			t.Errorf("ParseFlag(%q) error = %v, want error %v", tt.in, err, tt.err)
			continue
		}
		if !tt.err && fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("ParseFlag(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestMap(t *testing.T) {
	yes := func(string) bool { return true }
	only := func(ok ...string) func(string) bool {
		return func(p string) bool {
			for _, o := range ok {
				if o == p {
					return true
				}
			}
			return false
		}
	}
	tests := []struct {
		name   string
		rules  []Rule
		opts   Options
		path   string
		want   string
		mapped bool
	}{
		{"prefix", []Rule{{"/src/", []string{"/ci/proj"}}}, Options{Exists: yes}, "/ci/proj/a/b.py", "/src/a/b.py", true},
		{"no match", []Rule{{"/src/", []string{"/ci/proj"}}}, Options{Exists: yes}, "/ci/project/a.py", "/ci/project/a.py", false},
		{"case-insensitive", []Rule{{"/src/", []string{"/CI/Proj"}}}, Options{Exists: yes}, "/ci/PROJ/a.py", "/src/a.py", true},
		{"windows data", []Rule{{"/src", []string{`c:\ci\proj`}}}, Options{Exists: yes}, `C:\CI\proj\pkg\a.py`, "/src/pkg/a.py", true},
		{"relative windows result", []Rule{{`src\`, []string{"/ci"}}}, Options{Exists: yes, RelativeFiles: true}, "/ci/p/a.py", `src\p\a.py`, true},
		{"result must exist", []Rule{{"/one/", []string{"/ci"}}, {"/two/", []string{"/ci"}}}, Options{Exists: only("/two/a.py")}, "/ci/a.py", "/two/a.py", true},
		{"none exists", []Rule{{"/one/", []string{"/ci"}}}, Options{Exists: only()}, "/ci/a.py", "/ci/a.py", false},
		{"relative pattern", []Rule{{"/src/", []string{"build"}}}, Options{Exists: yes, Dir: "/w"}, "/w/build/a.py", "/src/a.py", true},
		{"relative result", []Rule{{"src", []string{"/ci"}}}, Options{Exists: yes, Dir: "/w"}, "/ci/a.py", "/w/src/a.py", true},
		{"relative files strips dir", nil, Options{Exists: only(), RelativeFiles: true, Dir: "/w"}, "/w/x.py", "x.py", false},
		{"implicit rule", nil, Options{Exists: yes, RelativeFiles: true, Dir: "/w"}, "pkg/x.py", "pkg/x.py", true},
		{"dot result kept", []Rule{{"./r", []string{"/ci"}}}, Options{Exists: yes, RelativeFiles: true}, "/ci/a.py", "./r/a.py", true},
		{"dot result dropped", []Rule{{"./", []string{"/ci"}}}, Options{Exists: yes, RelativeFiles: true}, "/ci/a.py", "a.py", true},
	}
	for _, tt := range tests {
		m, err := Compile(tt.rules, tt.opts)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		got, mapped := m.Map(tt.path)
		if got != tt.want || mapped != tt.mapped {
			t.Errorf("%s: Map(%q) = %q, %v; want %q, %v", tt.name, tt.path, got, mapped, tt.want, tt.mapped)
		}
	}
}

func TestNewKeepsGoodRules(t *testing.T) {
	m := New([]Rule{{"/a/", []string{"/x/*", "/y"}}}, Options{Exists: func(string) bool { return true }})
	var pe *PatternError
	if !errors.As(m.Err(), &pe) || pe.Msg != "Pattern must not end with wildcards." {
		t.Errorf("Err() = %v", m.Err())
	}
	if got, _ := m.Map("/y/b.py"); got != "/a/b.py" {
		t.Errorf("Map = %q", got)
	}
	if _, err := Compile([]Rule{{"/a/", []string{"/x/*"}}}, Options{}); err == nil {
		t.Error("Compile accepted a pattern ending with a wildcard")
	}
}

// TestFuncMemoises pins down why combine's memoised map differs from Map:
// an implicit relative_files rule learnt after a path was first seen does
// not apply to it again.
func TestFuncMemoises(t *testing.T) {
	opts := Options{RelativeFiles: true, Dir: "/w", Exists: func(string) bool { return true }}
	f := New(nil, opts).Func()
	if got := f("/ci/pkg/a.py"); got != "/ci/pkg/a.py" {
		t.Fatalf("first map = %q", got)
	}
	f("pkg/b.py") // learns */pkg -> pkg/
	if got := f("/ci/pkg/a.py"); got != "/ci/pkg/a.py" {
		t.Errorf("memoised map = %q, want the first answer", got)
	}
	m := New(nil, opts)
	m.Map("/ci/pkg/a.py")
	m.Map("pkg/b.py")
	if got, _ := m.Map("/ci/pkg/a.py"); got != "pkg/a.py" {
		t.Errorf("uncached map = %q, want pkg/a.py", got)
	}
}

func TestMapConcurrent(t *testing.T) {
	m := New(nil, Options{RelativeFiles: true, Dir: "/w", Exists: func(string) bool { return true }})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 200 {
				m.Map(fmt.Sprintf("/ci/d%d/f%d.py", (i+j)%5, j))
				m.Map(fmt.Sprintf("d%d/x.py", j%7))
			}
		}()
	}
	wg.Wait()
	if got, _ := m.Map("/ci/d3/z.py"); got != "d3/z.py" {
		t.Errorf("Map = %q", got)
	}
}

func TestModuleMatcher(t *testing.T) {
	mm := NewModuleMatcher([]string{"pkg", "a.b"})
	for name, want := range map[string]bool{"pkg": true, "pkg.x": true, "pkgx": false, "a": false, "a.b.c": true, "": false} {
		if got := mm.Match(name); got != want {
			t.Errorf("Match(%q) = %v", name, got)
		}
	}
}

func TestNormpath(t *testing.T) {
	for in, want := range map[string]string{
		"": ".", "/": "/", "//": "//", "///a": "/a", "a/../..": "..", "/../a": "/a", "a/./b/": "a/b", "//a//b/..": "//a",
	} {
		if got := normpath(in); got != want {
			t.Errorf("normpath(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestDoublestarAgreement checks GlobMatcher against doublestar on the
// patterns where coverage.py's glob rules and doublestar's coincide (no
// braces, backslashes or classes; a pattern without "/" matches a name in
// any directory; trailing "/*" and leading "*/" widened to "**").
func TestDoublestarAgreement(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	atoms := []string{"a", "b", "ab", "*", "?", "/", "**/", ".py"}
	pathAtoms := []string{"a", "b", "ab", "ba", "x.py", "a.py"}
	checked := 0
	for range 500 {
		var pb strings.Builder
		for range 1 + r.IntN(5) {
			pb.WriteString(atoms[r.IntN(len(atoms))])
		}
		pat := pb.String()
		g, err := CompileGlobs([]string{pat})
		if err != nil {
			continue
		}
		ds := pat
		if !strings.Contains(ds, "/") {
			ds = "**/" + ds
		}
		if strings.HasSuffix(ds, "/*") && !strings.HasSuffix(ds, "*/*") {
			ds = strings.TrimSuffix(ds, "*") + "**"
		}
		if strings.HasPrefix(ds, "*/") {
			ds = "*" + ds
		}
		if strings.Contains(ds, "//") || strings.HasSuffix(ds, "/") || strings.Contains(ds, "***") {
			continue
		}
		if !doublestar.ValidatePattern(ds) {
			continue
		}
		for range 20 {
			var path strings.Builder
			if r.IntN(2) == 0 {
				path.WriteString("/")
			}
			for i := range 1 + r.IntN(4) {
				if i > 0 {
					path.WriteString("/")
				}
				path.WriteString(pathAtoms[r.IntN(len(pathAtoms))])
			}
			p := path.String()
			want, _ := doublestar.Match(ds, p)
			if strings.HasPrefix(p, "/") && strings.HasPrefix(ds, "**/") {
				// doublestar's "**/" does not swallow a leading "/".
				w2, _ := doublestar.Match("/"+ds, p)
				want = want || w2
			}
			if got := g.Match(p); got != want {
				t.Errorf("pattern %q (doublestar %q) path %q: GlobMatcher %v, doublestar %v", pat, ds, p, got, want)
			}
			checked++
		}
	}
	t.Logf("%d comparisons", checked)
	if checked < 1000 {
		t.Errorf("only %d comparisons", checked)
	}
}

func TestSplitSource(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "src", "pkg"), 0o755); err != nil {
		t.Fatal(err)
	}
	dirs, pkgs, err := SplitSource([]string{"src", "mypkg", "src/pkg"}, []string{"other"}, nil, dir)
	real, _ := filepath.EvalSymlinks(dir)
	want := []string{filepath.Join(real, "src"), filepath.Join(real, "src", "pkg")}
	if err != nil || fmt.Sprint(dirs) != fmt.Sprint(want) || fmt.Sprint(pkgs) != "[other mypkg]" {
		t.Errorf("SplitSource = %q, %q, %v", dirs, pkgs, err)
	}
	if _, _, err := SplitSource(nil, nil, []string{"nope"}, dir); err == nil {
		t.Error("a missing source_dirs entry was accepted")
	}
}

func BenchmarkMap(b *testing.B) {
	var rules []Rule
	for i := range 10 {
		rules = append(rules, Rule{fmt.Sprintf("/src%d/", i), []string{fmt.Sprintf("/ci/*/job%d/src", i), fmt.Sprintf(`C:\ci\job%d\src`, i)}})
	}
	m := New(rules, Options{Dir: "/w", Exists: func(string) bool { return true }})
	paths := []string{"/ci/x/job9/src/pkg/mod.py", `C:\ci\job5\src\a\b.py`, "/elsewhere/none.py"}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		m.Map(paths[i%len(paths)])
	}
}

func BenchmarkGlobMatch(b *testing.B) {
	g, err := NewGlobMatcher([]string{"*/tests/*", "*/migrations/*", "setup.py", "src/gen/**/*.py"}, "/w")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		g.Match("/w/src/pkg/module/file.py")
	}
}
