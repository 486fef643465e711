package pysource

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/covkit/covkit/releases"
)

var (
	py311  = Version{Major: 3, Minor: 11}
	py313  = Version{Major: 3, Minor: 13}
	py314  = Version{Major: 3, Minor: 14}
	cov65  = Version{Major: 6, Minor: 5}
	cov76  = Version{Major: 7, Minor: 6}
	cov716 = Version{Major: 7, Minor: 16}
)

// statementTests are TestStatements' cases. The expected values were taken
// from coverage.py's PythonParser running under the CPython named (the test
// beds: 3.11+6.5, 3.13+7.6, 3.14+7.16); the conformance harness checks the
// same things at scale.
var statementTests = []struct {
	name     string
	ver, cov Version
	src      string
	stmts    []int
	excluded []int
}{
	{
		name: "constant tests drop dead branches",
		ver:  py313, cov: cov76,
		src: "if 0:\n    a = 1\nif False:\n    b = 1\nelse:\n    c = 1\nif 1:\n    d = 1\nelse:\n    e = 1\n" +
			"while 0:\n    f = 1\nif not __debug__:\n    g = 1\nif __debug__:\n    h = 1\nelse:\n    i = 1\n" +
			"while 1:\n    j = 1\n    break\nwhile True:\n    k = 1\nl = 1\n",
		stmts: []int{1, 3, 6, 7, 8, 11, 13, 15, 16, 19, 20, 21, 22, 23},
	},
	{
		name: "code after return, raise, continue, infinite loops",
		ver:  py314, cov: cov716,
		src: "def f():\n    return 1\n    x = 2\ndef g():\n    for i in x:\n        continue\n        y = 1\n    raise E\n    z = 1\n" +
			"def h():\n    if a:\n        return 1\n    else:\n        return 2\n    w = 1\n",
		stmts: []int{1, 2, 4, 5, 6, 8, 10, 11, 12, 14},
	},
	{
		// Checked against CPython 3.9.18's line table.
		name: "3.9: pass has a line only when a construct's instruction follows",
		ver:  Version{Major: 3, Minor: 9}, cov: cov76,
		src: "def f(x):\n    if x:\n        pass\n    y = 1\n    while x:\n        pass\n    try:\n        pass\n" +
			"    except E:\n        pass\n    if x:\n        pass\n    else:\n        y = 2\n    if x:\n        pass\n",
		stmts: []int{1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16},
	},
	{
		name: "try is a statement, else and finally are not",
		ver:  py311, cov: cov65,
		src:   "try:\n    a = 1\nexcept ValueError:\n    b = 1\nexcept:\n    c = 1\nelse:\n    d = 1\nfinally:\n    e = 1\nf = 1\n",
		stmts: []int{1, 2, 3, 4, 5, 6, 8, 10, 11},
	},
	{
		name: "with can swallow, try/finally cannot",
		ver:  py313, cov: cov76,
		src: "def f():\n    with a:\n        return 1\n    x = 2\ndef g():\n    try:\n        return 1\n    finally:\n        pass\n    y = 3\n" +
			"def h():\n    try:\n        return 1\n    except E:\n        pass\n    z = 4\n",
		stmts: []int{1, 2, 3, 4, 5, 6, 7, 9, 11, 12, 13, 14, 15, 16},
	},
	{
		name: "class-level bare annotations vanish in 3.14",
		ver:  py314, cov: cov716,
		src:   "x: int\ny: int = 2\nclass C:\n    a: int\n    b: int = 3\ndef f():\n    q: int\n    self.z: int\n    return 1\n",
		stmts: []int{1, 2, 3, 5, 6, 8, 9},
	},
	{
		name: "class-level bare annotations are statements before 3.14",
		ver:  py313, cov: cov76,
		src:   "x: int\ny: int = 2\nclass C:\n    a: int\n    b: int = 3\ndef f():\n    q: int\n    self.z: int\n    return 1\n",
		stmts: []int{1, 2, 3, 4, 5, 6, 8, 9},
	},
	{
		name: "3.14 stops folding tuples and negative numbers",
		ver:  py314, cov: cov716,
		src:   "if ():\n  g=1\nif -1:\n  h=1\nelse:\n  i=1\nif not 0:\n  a=1\nelse:\n  b=1\n",
		stmts: []int{1, 2, 3, 4, 6, 7, 8},
	},
	{
		name: "3.13 folds tuples and negative numbers",
		ver:  py313, cov: cov76,
		src:   "if ():\n  g=1\nif -1:\n  h=1\nelse:\n  i=1\nif not 0:\n  a=1\nelse:\n  b=1\n",
		stmts: []int{1, 3, 4, 7, 8},
	},
	{
		name: "3.11 keeps code objects of constant-false branches",
		ver:  py311, cov: cov65,
		src:   "if 0:\n    f = lambda: 1\n    g = (x for x in y)\n    h = [x for x in y]\n    def k():\n        return 2\n    class C:\n        z = 3\nw = 1\n",
		stmts: []int{1, 2, 3, 4, 5, 6, 7, 8, 9},
	},
	{
		name: "3.11 trims them when no later constant is used",
		ver:  py311, cov: cov65,
		src:   "import re\nif 0:\n    def k():\n        return 2\n    g = (i for i in y)\nz = re\n",
		stmts: []int{1, 2, 6},
	},
	{
		name: "3.11 keeps them when a later constant is new",
		ver:  py311, cov: cov65,
		src:   "import re\nif 0:\n    def k():\n        return 2\n    g = (i for i in y)\nz = 5\n",
		stmts: []int{1, 2, 3, 4, 5, 6},
	},
	{
		name: "3.13 drops them",
		ver:  py313, cov: cov76,
		src:   "if 0:\n    f = lambda: 1\n    g = (x for x in y)\n    h = [x for x in y]\n    def k():\n        return 2\n    class C:\n        z = 3\nw = 1\n",
		stmts: []int{1, 9},
	},
	{
		name: "coverage 7.16 skips __annotate__ code objects",
		ver:  py314, cov: cov716,
		src:   "def __annotate__(format):\n    x = 1\n    f = lambda: 2\n    g = (a for a in b)\n    def inner():\n        return 3\n    return x\n",
		stmts: []int{1, 3, 4, 5, 6},
	},
	{
		name: "docstrings are not statements",
		ver:  py314, cov: cov716,
		src:   "'''Doc.'''\nx = 1\ndef f():\n    '''Doc.'''\n    return 1\nclass C:\n    ('paren'\n     'doc')\ndef g(): 'inline'\n",
		stmts: []int{2, 3, 5, 6},
	},
	{
		name: "coverage 6.5 docstrings come from tokens",
		ver:  py311, cov: cov65,
		src:   "# comment\n'''not a docstring for 6.5'''\ndef f():\n    '''Doc.'''\n    return 1\n",
		stmts: []int{2, 3, 5},
	},
	{
		name: "multi-line statements count once",
		ver:  py314, cov: cov716,
		src:   "x = call(\n    a,\n    b)\ny = [\n  1,\n]\n@dec(\n  1)\ndef f(\n  a):\n    pass\n",
		stmts: []int{1, 4, 7, 9, 11},
	},
	{
		name: "block exclusion",
		ver:  py314, cov: cov716,
		src:      "if x:  # pragma: no cover\n    a = 1\n    b = 2\nelse:\n    c = 3\n@dec  # pragma: no cover\ndef f():\n    return 1\nclass C:\n    def m(self):  # pragma: no cover\n        return 2\n    def n(self):\n        return 3\n",
		stmts:    []int{5, 9, 12, 13},
		excluded: []int{1, 2, 3, 6, 7, 8, 10, 11},
	},
	{
		name: "coverage 7.16 default excludes stubs and TYPE_CHECKING",
		ver:  py314, cov: cov716,
		src:      "if TYPE_CHECKING:\n    import os\nclass P:\n    def m(self) -> int: ...\n    def n(self):\n        return 1\n",
		stmts:    []int{3, 5, 6},
		excluded: []int{1, 2, 4},
	},
	{
		name: "coverage 6.5 default excludes only pragmas",
		ver:  py311, cov: cov65,
		src:   "if TYPE_CHECKING:\n    import os\nclass P:\n    def m(self) -> int: ...\n    def n(self):\n        return 1\n",
		stmts: []int{1, 2, 3, 4, 5, 6},
	},
	{
		name: "irrefutable case whose body is excluded",
		ver:  py314, cov: cov716,
		src:      "match x:\n    case 1:\n        y = 1\n    case _:\n        raise NotImplementedError  # pragma: no cover\n",
		stmts:    []int{1, 2, 3},
		excluded: []int{4, 5},
	},
	{
		name: "coverage 7.6 maps line 1 to the first statement",
		ver:  py313, cov: cov76,
		src:      "# pragma: no cover\nimport os\nx = (1,\n     2)\n",
		stmts:    []int{3},
		excluded: []int{2},
	},
}

func TestStatements(t *testing.T) {
	for _, tt := range statementTests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Analyze("t.py", []byte(tt.src), Options{Version: tt.ver, Coverage: tt.cov})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(a.Statements, tt.stmts) {
				t.Errorf("statements = %v, want %v", a.Statements, tt.stmts)
			}
			if !slices.Equal(a.Excluded, tt.excluded) && !(len(a.Excluded) == 0 && len(tt.excluded) == 0) {
				t.Errorf("excluded = %v, want %v", a.Excluded, tt.excluded)
			}
		})
	}
}

func TestExcludeOptions(t *testing.T) {
	src := "def f():\n    raise NotImplementedError\n\nif __name__ == '__main__':\n    f()\nx = 1  # pragma: no cover\n"
	tests := []struct {
		exclude  []string
		excluded []int
	}{
		{nil, []int{6}},
		{[]string{}, nil},
		{[]string{`raise NotImplementedError`}, []int{2}},
		{append(releases.CoverageRules(Version{}).Exclude, `if __name__ == .__main__.:`), []int{4, 5, 6}},
		// Look-around needs the backtracking engine.
		{[]string{`(?<=raise )NotImplemented`}, []int{2}},
		{[]string{`^(?!def|if|x).*\S`}, []int{2, 5}},
	}
	for _, tt := range tests {
		a, err := Analyze("t.py", []byte(src), Options{Exclude: tt.exclude})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a.Excluded, tt.excluded) && !(len(a.Excluded) == 0 && len(tt.excluded) == 0) {
			t.Errorf("exclude %q: excluded = %v, want %v", tt.exclude, a.Excluded, tt.excluded)
		}
	}
	if _, err := Analyze("t.py", []byte(src), Options{Exclude: []string{`(unclosed`}}); err == nil {
		t.Error("a bad regex gave no error")
	}
}

func TestRegexSemantics(t *testing.T) {
	text := "a = 1\n\n\n   ...\nb\u00a0= 2  # x\n"
	tests := []struct {
		pattern string
		lines   []int
	}{
		// \s spans lines: the match runs from the blank line 2 to line 4.
		{`^\s*\.\.\.`, []int{2, 3, 4}},
		// Python's \s matches a no-break space, RE2's does not.
		{`b\s=`, []int{5}},
		{`(?i)A =`, []int{1}},
		{`\d+$`, []int{1}},
		{`(?P<n>=) 2  #`, []int{5}},
		{`x{1}|zz{`, []int{5}},
		{`^b.{,1}=`, []int{5}},
		{`[[:alpha:]]= 1`, nil}, // Python: the set [[:alph] then "]= 1"
	}
	lm := newLineMatcher(text)
	for _, tt := range tests {
		got, err := lm.matching([]string{tt.pattern}, DefaultCoverage, nil)
		if err != nil {
			t.Fatalf("%s: %v", tt.pattern, err)
		}
		if g := got.sorted(); !slices.Equal(g, tt.lines) {
			t.Errorf("%s: lines %v, want %v", tt.pattern, g, tt.lines)
		}
	}
	// Overlapping matches of two patterns: the joined pattern decides.
	got, err := lm.matching([]string{`= 1\n\n`, `1\n\n\n`}, DefaultCoverage, nil)
	if err != nil {
		t.Fatal(err)
	}
	if g := got.sorted(); !slices.Equal(g, []int{1, 2, 3}) {
		t.Errorf("overlap: lines %v", g)
	}
}

func TestNotPython(t *testing.T) {
	tests := []struct {
		src     string
		cov     Version
		ver     Version
		wantMsg string
	}{
		{"x = (1,\n     2\ny = 3\n", cov716, py314, `"'(' was never closed" at line 1`},
		{"x = (1,\n     2\ny = 3\n", cov65, py311, `'EOF in multi-line statement' at line 4`},
		{"x = '''abc\ny = 2\n", cov76, py313, `'unterminated triple-quoted string literal (detected at line 2)' at line 1`},
		{"x = '''abc\ny = 2\n", cov65, py311, `'EOF in multi-line string' at line 1`},
		{"if x:\n        a = 1\n    b = 2\n", cov716, py314, `'unindent does not match any outer indentation level' at line 3`},
		{"x = 1\n    y = 2\n", cov716, py314, `'unexpected indent' at line 2`},
		{"if x:\ny = 2\n", cov716, py314, `"expected an indented block after 'if' statement on line 1" at line 2`},
		{"if x:\ny = 2\n", cov65, py311, `'expected an indented block after 'if' statement on line 1' at line 2`},
		{"x = = 1\n", cov716, py314, `'invalid syntax' at line 1`},
		{"00;=\n", cov716, py314, `'invalid syntax' at line 1`},
		{"x = 1; ) \n", cov716, py314, `"unmatched ')'" at line 1`},
		{"print 'hello'\n", cov716, py314, `"Missing parentheses in call to 'print'. Did you mean print(...)?" at line 1`},
		{"return 1\n", cov716, py314, `"'return' outside function" at line 1`},
		{"x = 1 + \\\n", cov716, py314, `'unexpected EOF while parsing' at line 1`},
		{"type X = int\n", cov65, py311, `'invalid syntax' at line 1`},
		{"a = f\"{'x' + \"y\"}\"\n", cov65, py311, `'f-string: expecting '}'' at line 1`},
		{"try:\n    x = 1\nexcept A, B:\n    pass\n", cov76, py313, `'multiple exception types must be parenthesized' at line 3`},
		{"if x:\n        a = 1\n\tb = 2\n", cov716, py314, `'inconsistent use of tabs and spaces in indentation' at line 3`},
		{"x = 1\x00\n", cov76, py313, `'source code string cannot contain null bytes' at line None`},
		// Issue 16 item 13: the line numbers and messages of the beds'
		// coverage.py. A backslash-newline moves where an unterminated
		// string is detected; 3.12+ names f-strings.
		{"s = \"abc\\\ndef\n", cov716, py314, `'unterminated string literal (detected at line 2)' at line 1`},
		{"s = \"abc\\\ndef\n", cov65, py311, `'unterminated string literal (detected at line 2)' at line 1`},
		{"x = f\"abc\n", cov716, py314, `'unterminated f-string literal (detected at line 1)' at line 1`},
		{"x = f\"abc\n", cov65, py311, `'unterminated string literal (detected at line 1)' at line 1`},
		// coverage.py 6.x: the pure tokenize counts brackets of any kind and
		// goes on after an unterminated quote, so it reaches EOF first.
		{"x = [\n  1,\n  (2,\n   3]\n", cov65, py311, `'EOF in multi-line statement' at line 5`},
		{"x = \")\n", cov65, py311, `'EOF in multi-line statement' at line 2`},
		{"x = = 1\ny = (\n", cov65, py311, `'EOF in multi-line statement' at line 3`},
		{"if x:\n        a = 1\n    b = (\n", cov65, py311, `'unindent does not match any outer indentation level' at line 3`},
		// 3.10+: two expressions side by side in brackets, at the first's line.
		{"x = (\n  1\n  2\n)\n", cov716, py314, `'invalid syntax. Perhaps you forgot a comma?' at line 2`},
		{"x = (\n  1\n  2\n)\n", cov65, py311, `'invalid syntax. Perhaps you forgot a comma?' at line 2`},
		{"f(a,\n  b + c\n  d)\n", cov716, py314, `'invalid syntax. Perhaps you forgot a comma?' at line 2`},
		{"x = 1 2\n", cov716, py314, `'invalid syntax' at line 1`},
	}
	for _, tt := range tests {
		_, err := Analyze("t.py", []byte(tt.src), Options{Version: tt.ver, Coverage: tt.cov})
		var np *NotPythonError
		if !errors.As(err, &np) {
			t.Errorf("%q (%v, coverage %v): err = %v, want NotPythonError", tt.src, tt.ver, tt.cov, err)
			continue
		}
		want := "Couldn't parse 't.py' as Python source: " + tt.wantMsg
		if np.Error() != want {
			t.Errorf("%q (%v, coverage %v):\n got %s\nwant %s", tt.src, tt.ver, tt.cov, np.Error(), want)
		}
	}
}

func TestVersionGates(t *testing.T) {
	tests := []struct {
		src    string
		ok, no Version // accepted by ok, refused by no
	}{
		{"type X = int\n", Version{Major: 3, Minor: 12}, py311},
		{"t = t'x'\n", py314, py313},
		{"a = f\"{\"x\"}\"\n", Version{Major: 3, Minor: 12}, py311},
		{"try:\n    pass\nexcept A, B:\n    pass\n", py314, py313},
		{"def f[T](x: T) -> T:\n    return x\n", Version{Major: 3, Minor: 12}, py311},
	}
	for _, tt := range tests {
		if _, err := Analyze("t.py", []byte(tt.src), Options{Version: tt.ok}); err != nil {
			t.Errorf("%q under %v: %v", tt.src, tt.ok, err)
		}
		if _, err := Analyze("t.py", []byte(tt.src), Options{Version: tt.no}); err == nil {
			t.Errorf("%q under %v: accepted", tt.src, tt.no)
		}
	}
}

// TestRegions reads the corpus's nested_regions.py, which the conformance
// tests also hold up against coverage.py's code_regions().
func TestRegions(t *testing.T) {
	src, err := os.ReadFile("testdata/corpus/nested_regions.py")
	if err != nil {
		t.Fatal(err)
	}
	a, err := Analyze("nested_regions.py", src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range a.Regions {
		got = append(got, fmt.Sprintf("%s %s %d %v", r.Kind, r.Name, r.Start, r.Lines))
	}
	// No region for a def in an else or except clause: code_regions()
	// only walks each node's body.
	want := []string{
		"class Outer 1 [9 13 20]",
		"class Outer.Inner 2 [4 5 6]",
		"function Outer.Inner.method 3 [4 6]",
		"function Outer.Inner.method.helper 4 [5]",
		"function Outer.outer_method 8 [9]",
		"function Outer.cond_method 12 [13]",
		"function Outer.try_method 19 [20]",
		"function top 26 [27 28 30]",
		"class top.Local 27 [29]",
		"function top.Local.lm 28 [29]",
		"function in_loop 34 [35]",
	}
	if !slices.Equal(got, want) {
		t.Errorf("regions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestFirstLine(t *testing.T) {
	a, err := Analyze("t.py", []byte("x = (\n  1,\n  2)\ny = 3\nz = '''\n'''\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for line, want := range map[int]int{1: 1, 2: 1, 3: 1, 4: 4, 5: 5, 6: 5, 7: 7, -2: -1} {
		if got := a.FirstLine(line); got != want {
			t.Errorf("FirstLine(%d) = %d, want %d", line, got, want)
		}
	}
}

func TestDecode(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"x = 1\r\ny = 2\r\n", "x = 1\ny = 2\n"},
		{"x = 1\ry = 2", "x = 1\ny = 2\n"},
		{"x = 1\x0cy", "x = 1 y\n"},
		{"\xef\xbb\xbfx = 'caf\xc3\xa9'\n", "x = 'café'\n"},
		{"# -*- coding: latin-1 -*-\nx = '\xe9'\n", "# -*- coding: latin-1 -*-\nx = 'é'\n"},
		{"x = '\xff'\n", "x = '\ufffd'\n"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Decode([]byte(tt.in)); got != tt.want {
			t.Errorf("Decode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDetectVersion(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3 on PATH")
	}
	v, err := DetectVersion(py)
	if err != nil {
		t.Fatal(err)
	}
	if v.Major != 3 || v.Minor < 6 {
		t.Errorf("DetectVersion(%s) = %v", py, v)
	}
	if _, err := DetectVersion(filepath.Join(t.TempDir(), "nope")); err == nil {
		t.Error("DetectVersion of a missing interpreter gave no error")
	}
}

func TestLimits(t *testing.T) {
	deep := "x = " + strings.Repeat("(", 201) + "1" + strings.Repeat(")", 201) + "\n"
	if _, err := Analyze("t.py", []byte(deep), Options{}); err == nil || !strings.Contains(err.Error(), "too many nested parentheses") {
		t.Errorf("201 nested parentheses: %v", err)
	}
	var b strings.Builder
	for i := 0; i < 101; i++ {
		b.WriteString(strings.Repeat("    ", i) + "if x:\n")
	}
	b.WriteString(strings.Repeat("    ", 101) + "pass\n")
	if _, err := Analyze("t.py", []byte(b.String()), Options{}); err == nil || !strings.Contains(err.Error(), "too many levels of indentation' at line 101") {
		t.Errorf("101 indentation levels: %v", err)
	}
	// A long file and long lines must not blow up.
	big := strings.Repeat("x = 1\nif x:\n    y = [1,\n         2]\n", 50000) + "z = '" + strings.Repeat("a", 1<<20) + "'\n"
	start := time.Now()
	a, err := Analyze("t.py", []byte(big), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Statements) != 150001 {
		t.Errorf("big file: %d statements", len(a.Statements))
	}
	t.Logf("200k-line file analyzed in %v", time.Since(start))
}

// TestCorpusFiles checks that every file of the hand-written corpora
// analyzes without error under every modelled version it is valid for, and
// never panics under any.
func TestCorpusFiles(t *testing.T) {
	files, _ := filepath.Glob("testdata/corpus/*.py")
	bad, _ := filepath.Glob("testdata/notpython/*.py")
	for _, f := range append(files, bad...) {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for minor := 9; minor <= 14; minor++ {
			for _, cov := range []Version{cov65, cov76, cov716} {
				_, err := Analyze(f, src, Options{Version: Version{Major: 3, Minor: minor}, Coverage: cov})
				var np *NotPythonError
				if err != nil && !errors.As(err, &np) && !strings.Contains(err.Error(), "null bytes") {
					t.Errorf("%s (3.%d, coverage %v): %v", f, minor, cov, err)
				}
				if strings.Contains(f, "notpython") && err == nil && !strings.Contains(f, "lazy_import") && !strings.Contains(f, "global_after_use") && minor >= 11 {
					if !(minor >= 12 && strings.Contains(f, "type_stmt")) && !(minor >= 12 && strings.Contains(f, "fstring_py311")) {
						t.Errorf("%s (3.%d): accepted", f, minor)
					}
				}
			}
		}
	}
}
