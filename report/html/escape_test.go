package html

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/covkit/covkit/report"
)

// TestEscaping feeds hostile source text and file names: the source must
// show as text (no markup gets through), and every page must land directly
// in the report directory whatever the name says.
func TestEscaping(t *testing.T) {
	src := "# </script><script>alert(1)</script>\n" +
		"x = '<img src=x onerror=alert(2)>'  # & &amp; \"quoted\"\n" +
		"y = \"\"\"</div></main><script>alert(3)</script>\n" +
		"\"\"\"\n" +
		"z = 1 < 2 > 0\n" +
		"s = 'naïve ünïcode ✓ \x00 nul'\n"
	names := []string{
		"../../etc/passwd",
		"../../../tmp/evil.py",
		`a"b'c<d>&e.py`,
		"naïve/ünïcode ✓.py",
		"/abs/path/x.py",
		"..",
		".hidden.py",
		"index.html",
		"style.css",
		"C:\\windows\\x.py",
		strings.Repeat("long/", 60) + "x.py",
		"",
	}
	set := &report.Set{}
	for i, n := range names {
		set.Files = append(set.Files, &report.File{
			Filename:   "/proj/" + strings.Repeat("d/", i) + "f.py",
			RelName:    n,
			Source:     src,
			Statements: []int{2, 3, 5, 6},
			Executed:   []int{2, 5},
		})
	}
	root := t.TempDir()
	dir := filepath.Join(root, "a", "b", "out")
	title := `<script>alert("title")</script>`
	err := Write(dir, set, Options{Now: fixtureNow, Title: title, ShowContexts: true,
		Contexts: func(*report.File) map[int][]string {
			return map[int][]string{2: {"</li><script>alert(4)</script>", `python3 -c "print('x')"`}}
		}})
	if err != nil {
		t.Fatal(err)
	}
	// Nothing outside dir.
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		if !d.IsDir() && filepath.Dir(p) != dir {
			t.Errorf("file written outside the report directory: %s", p)
		}
		return nil
	})
	files := readDir(t, dir)
	// index + css + js + .gitignore + one page per file, none overwritten.
	if len(files) != len(names)+4 {
		t.Errorf("%d files written, want %d", len(files), len(names)+4)
	}
	if !strings.Contains(string(files[cssName]), "covkit HTML report") || !strings.Contains(string(files[jsName]), "covkit HTML report") {
		t.Error("a page overwrote the stylesheet or the script")
	}
	pageRE := regexp.MustCompile(`^[A-Za-z0-9_-]+\.html$`)
	hrefRE := regexp.MustCompile(`href="([^"]*)"`)
	idx := string(files[indexName])
	for _, m := range hrefRE.FindAllStringSubmatch(idx, -1) {
		if m[1] != cssName && !pageRE.MatchString(m[1]) {
			t.Errorf("index links to %q", m[1])
		}
		if m[1] != cssName && files[m[1]] == nil {
			t.Errorf("index links to %q, which was not written", m[1])
		}
	}
	for name, b := range files {
		s := string(b)
		if name == jsName {
			continue
		}
		s = strings.Replace(s, `<script src="coverage.js" defer></script>`, "", 1)
		s = strings.Replace(s, `<script type="application/json" id="contexts">`, "", 1)
		if n := strings.Count(s, "<script"); n > 0 {
			t.Errorf("%s: markup from the input got through (%d <script)", name, n)
		}
		for _, bad := range []string{"<img", "</div></main>", "alert(\"title\")</script>", "\x00", `a"b'c<d>`} {
			if strings.Contains(s, bad) {
				t.Errorf("%s: unescaped %q", name, bad)
			}
		}
		if strings.HasSuffix(name, ".html") && name != indexName {
			for _, want := range []string{"&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;", "</span> &lt; <span class=\"m\">2</span> &gt; ", "&amp; &amp;amp;", "naïve ünïcode ✓", `"\u003c/li\u003e\u003cscript\u003ealert(4)\u003c/script\u003e"`} {
				if !strings.Contains(s, want) {
					t.Errorf("%s: missing escaped text %q", name, want)
				}
			}
		}
	}
	for _, want := range []string{"a&#34;b&#39;c&lt;d&gt;&amp;e.py", "naïve/ünïcode ✓.py", "../../etc/passwd", "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;"} {
		if !strings.Contains(idx, want) {
			t.Errorf("index: missing escaped name %q", want)
		}
	}
}

func TestPageNames(t *testing.T) {
	used := map[string]bool{}
	a := pageName(&report.File{Filename: "/p/a.b.py", RelName: "a.b.py"}, used)
	b := pageName(&report.File{Filename: "/p/a_b.py", RelName: "a_b.py"}, used)
	c := pageName(&report.File{Filename: "/p/a.b.py", RelName: "a.b.py"}, used)
	if a == b || a == c || b == c {
		t.Errorf("page names collide: %s %s %s", a, b, c)
	}
	long := pageName(&report.File{Filename: "/x", RelName: strings.Repeat("é", 500)}, used)
	if len(long) > 100 {
		t.Errorf("page name too long: %d bytes", len(long))
	}
}

// TestSelfContained: nothing in the report refers to the network; every
// local reference resolves to a file of the report.
func TestSelfContained(t *testing.T) {
	css := filepath.Join(t.TempDir(), "mine.css")
	os.WriteFile(css, []byte("body{color:#123}\n"), 0o666)
	dir := t.TempDir()
	if err := Write(dir, fixtureBranches(), Options{Now: fixtureNow, History: fixtureHistory(), ExtraCSS: css}); err != nil {
		t.Fatal(err)
	}
	files := readDir(t, dir)
	if string(files[extraName]) != "body{color:#123}\n" {
		t.Errorf("extra css not copied: %q", files[extraName])
	}
	refRE := regexp.MustCompile(`(?:src|href)="([^"#]*)`)
	for name, b := range files {
		s := string(b)
		for _, bad := range []string{"http://", "https://", "//cdn", "@import", "url("} {
			s2 := strings.ReplaceAll(s, `xmlns="http://www.w3.org/2000/svg"`, "")
			if strings.Contains(s2, bad) {
				t.Errorf("%s refers to %q", name, bad)
			}
		}
		for _, m := range refRE.FindAllStringSubmatch(s, -1) {
			if m[1] != "" && files[m[1]] == nil {
				t.Errorf("%s refers to %q, not in the report", name, m[1])
			}
		}
		if strings.HasSuffix(name, ".html") && !strings.Contains(s, `<link rel="stylesheet" href="extra.css">`) {
			t.Errorf("%s does not link the extra css", name)
		}
	}
	if err := Write(t.TempDir(), fixtureBranches(), Options{ExtraCSS: filepath.Join(dir, "none.css")}); err == nil {
		t.Error("a missing extra_css is not an error")
	}
}

// FuzzWrite: whatever the file name and source, pages stay in the report
// directory and no markup from them gets through.
func FuzzWrite(f *testing.F) {
	f.Add("../../etc/passwd", "</script><script>alert(1)</script>\n")
	f.Add(`a"b'c.py`, "x = '''<b>\n'''\n")
	f.Add("ü/✓.py", "f\"{'<i>'}\"\n")
	f.Fuzz(func(t *testing.T, name, src string) {
		root := t.TempDir()
		dir := filepath.Join(root, "out")
		set := &report.Set{Files: []*report.File{{Filename: "/p/" + name, RelName: name, Source: src, Statements: []int{1, 2}, Executed: []int{1}}}}
		if err := Write(dir, set, Options{Now: fixtureNow}); err != nil {
			t.Fatal(err)
		}
		ents, _ := os.ReadDir(root)
		if len(ents) != 1 {
			t.Fatalf("%d entries beside the report directory", len(ents))
		}
		files := readDir(t, dir)
		if len(files) != 5 {
			t.Fatalf("%d files written, want 5", len(files))
		}
		for n, b := range files {
			if n == jsName || n == cssName || n == ".gitignore" {
				continue
			}
			s := string(b)
			if strings.Count(s, "<script") != 1 || strings.Count(s, "<div") != strings.Count(s, "</div>") || strings.Count(s, "<span") != strings.Count(s, "</span>") {
				t.Fatalf("%s: markup from the input got through", n)
			}
		}
	})
}
