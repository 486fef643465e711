package covconfig

import (
	"errors"
	"github.com/covkit/covkit/internal/testfiles"
	"github.com/covkit/covkit/releases"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

func TestSubstitute(t *testing.T) {
	env := map[string]string{"X": "1", "EMPTY": "", "é": "acc"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	tests := []struct{ in, want, err string }{
		{"plain", "plain", ""},
		{"$X ${X} $$ $$X", "1 1 $ $X", ""},
		{"${Y-def} ${X-def} ${EMPTY-def}", "def 1 ", ""},
		{"${Y-} ${Y} $Y", "  ", ""},
		{"$ ${ x} ${X", "$ ${ x} ${X", ""},
		{"${Q-a}b}", "ab}", ""},
		{"$1x-$é", "-acc", ""},
		{"${X?}", "1", ""},
		{"${Y?}", "", "Variable Y is undefined: '${Y?}'"},
		{"${X-a$Xb}", "1", ""},
		{"$X.$X_$X", "1.1", ""},
	}
	for _, tt := range tests {
		got, err := substitute(tt.in, lookup)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("substitute(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("substitute(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestPyInt(t *testing.T) {
	for in, want := range map[string]int{"3": 3, " +0_3 ": 3, "-12": -12, "\t7\n": 7, "1_000": 1000} {
		if got, err := pyInt(in); err != nil || got != want {
			t.Errorf("pyInt(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "two", "1.0", "0x10", "1__0", "_1", "1_", "+-1", "--1", "1 2"} {
		if _, err := pyInt(in); err == nil {
			t.Errorf("pyInt(%q) accepted", in)
		}
	}
}

func TestPyFloat(t *testing.T) {
	for in, want := range map[string]float64{
		"1": 1, "87.5": 87.5, "1e1": 10, " 1. ": 1, ".5": .5, "-2.5E-1": -.25, "1_0.0_5": 10.05, "+inf": math.Inf(1), "-Infinity": math.Inf(-1),
	} {
		if got, err := pyFloat(in); err != nil || got != want {
			t.Errorf("pyFloat(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if got, err := pyFloat("nan"); err != nil || !math.IsNaN(got) {
		t.Errorf("pyFloat(nan) = %v, %v", got, err)
	}
	for _, in := range []string{"", ".", "e1", "1e", "0x1p3", "1,5", "abc", "1__0", "++1", "inf1"} {
		if _, err := pyFloat(in); err == nil {
			t.Errorf("pyFloat(%q) accepted", in)
		}
	}
}

func TestExpandUser(t *testing.T) {
	env := func(k string) (string, bool) {
		if k == "HOME" {
			return "/home/me/", true
		}
		return "", false
	}
	for in, want := range map[string]string{"~": "/home/me", "~/x": "/home/me/x", "a/~": "a/~", "~root/y": "/root/y", "~nosuchuser-xyz/z": "~nosuchuser-xyz/z"} {
		if got := expandUser(in, env); got != want {
			t.Errorf("expandUser(%q) = %q, want %q", in, got, want)
		}
	}
	root := func(k string) (string, bool) { return "/", k == "HOME" }
	if got := expandUser("~", root); got != "/" {
		t.Errorf("expandUser(~) with HOME=/ = %q", got)
	}
}

func TestPyExt(t *testing.T) {
	for in, want := range map[string]string{"pyproject.toml": ".toml", ".coveragerc.toml": ".toml", ".toml": "", "a/.coveragerc": "", "x.cfg": ".cfg", "a.b/c": ""} {
		if got := pyExt(in); got != want {
			t.Errorf("pyExt(%q) = %q, want %q", in, got, want)
		}
	}
}

// writeFiles writes files into a new temporary directory and returns it.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	testfiles.Write(t, dir, files)
	return dir
}

func TestLoadErrors(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"bad.cfg":  "[run]\nbranch = true\nprecision = x\n[report]\nprecision = x\n",
		"bad.toml": "[run]\nbranch = 3\n",
	})
	_, err := Load(LoadOptions{Dir: dir, RCFile: "missing.cfg"})
	if !errors.Is(err, ErrNoConfigFile) {
		t.Errorf("missing rcfile: %v, want ErrNoConfigFile", err)
	}
	_, err = Load(LoadOptions{Dir: dir, RCFile: "bad.cfg"})
	var ce *Error
	if !errors.As(err, &ce) || ce.File != "bad.cfg" || ce.Line != 5 {
		t.Errorf("bad value: %#v", err)
	}
	if err == nil || !strings.HasPrefix(err.Error(), "bad.cfg:5: couldn't read config file: invalid literal for int()") {
		t.Errorf("bad value message: %v", err)
	}
	_, err = Load(LoadOptions{Dir: dir, RCFile: "bad.toml"})
	if err == nil || !strings.HasPrefix(err.Error(), "bad.toml:2: couldn't read config file: Option [run]branch is not a boolean: 3") {
		t.Errorf("bad toml value: %v", err)
	}
}

func TestLoadEnv(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		".coveragerc": "[run]\ndata_file = ${D-unset}\n",
		"other.cfg":   "[run]\nbranch = 1\n",
	})
	// With only Getenv an empty variable counts as unset.
	c, err := Load(LoadOptions{Dir: dir, Getenv: func(k string) string { return "" }})
	if err != nil || c.Run.DataFile != "unset" {
		t.Errorf("Getenv: %v %q", err, c.Run.DataFile)
	}
	c, err = Load(LoadOptions{Dir: dir, LookupEnv: func(k string) (string, bool) { return "", k == "D" }})
	if err != nil || c.Run.DataFile != "" {
		t.Errorf("LookupEnv: %v %q", err, c.Run.DataFile)
	}
	c, err = Load(LoadOptions{Dir: dir, Getenv: func(k string) string {
		return map[string]string{"COVERAGE_RCFILE": "other.cfg", "COVERAGE_FILE": "cf"}[k]
	}})
	if err != nil || !c.Run.Branch || c.Run.DataFile != "cf" || c.File != filepath.Join(dir, "other.cfg") {
		t.Errorf("COVERAGE_RCFILE: %v %+v %q", err, c.Run, c.File)
	}
	c, err = Load(LoadOptions{Dir: dir, NoConfig: true, Getenv: func(string) string { return "" }})
	if err != nil || c.File != "" || c.Run.DataFile != ".coverage" || len(c.FilesAttempted) != 0 {
		t.Errorf("NoConfig: %v %+v", err, c)
	}
}

func TestPathRules(t *testing.T) {
	c := &Config{Paths: []PathsEntry{{"a", []string{"src/", "/ci/src", "C:\\src"}}, {"lonely", []string{"x"}}, {"b", []string{"lib", "*/lib"}}}}
	rules := c.PathRules()
	if len(rules) != 2 || rules[0].Result != "src/" || len(rules[0].Patterns) != 2 || rules[1].Patterns[0] != "*/lib" {
		t.Errorf("PathRules = %+v", rules)
	}
}

func TestDefaults(t *testing.T) {
	c := Default()
	if c.Run.DataFile != ".coverage" || c.XML.PackageDepth != 99 || c.HTML.Title != "Coverage report" || len(c.Report.ExcludeLines) != 3 || c.Run.Source != nil || c.Report.Omit != nil {
		t.Errorf("Default() = %+v", c)
	}
	// Default must hand out fresh slices.
	c.Report.ExcludeLines[0] = "x"
	if Default().Report.ExcludeLines[0] == "x" || releases.CoverageRules(releases.Version{}).Exclude[0] == "x" {
		t.Error("Default shares its default lists")
	}
}

func FuzzParseINI(f *testing.F) {
	for _, s := range []string{"[run]\nbranch = 1\n", "[DEFAULT]\na=1\n[x]\nb:2\n  c\n\n  d\n", "x", "[]\n", "[a]b]\n=\n", "[r]\r\nk=v\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		ini, err := parseINI("f", src)
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) || ce.Line < 1 {
				t.Fatalf("error without a line: %v", err)
			}
			return
		}
		for _, s := range append(ini.sections, ini.defaults) {
			for _, o := range s.opts {
				if o.value != pyRstrip(o.value) || o.key != strings.ToLower(o.key) || o.line < 1 {
					t.Fatalf("option %+v", o)
				}
			}
		}
	})
}

func FuzzSubstitute(f *testing.F) {
	for _, s := range []string{"$X ${X} $$ ${Y-d} ${Z?}", "${", "$$$", "${a-}}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := substitute(s, func(string) (string, bool) { return "", false })
		if err == nil && !strings.Contains(s, "$") && got != s {
			t.Fatalf("substitute changed %q to %q", s, got)
		}
	})
}

func TestCheckTOML10(t *testing.T) {
	ok := []string{
		"a = {x = 1, y = [1,\n2]}\n", "s = \"a\\\\e\"\n", "s = 'C:\\xe'\n", "m = '''x\ny'''\n[t]\nk = \"\"\"q\\n\"\"\"\n",
		"[[arr]]\nx = 1\n", "a = [\n  {x = 1},\n]\n", "# {\nq = 1\n", "s = \"\"\"a\"\"\"\"\"\n",
	}
	for _, s := range ok {
		if err := checkTOML10(s); err != nil {
			t.Errorf("checkTOML10(%q) = %v", s, err)
		}
	}
	bad := map[string]int{
		"a = {x = 1,\n y = 2}\n": 1, "q = 1\na = {x = 1,}\n": 2, "s = \"\\e\"\n": 1, "x = 1\ns = \"\"\"\n\\x41\"\"\"\n": 3,
	}
	for s, line := range bad {
		err := checkTOML10(s)
		var ce *Error
		if !errors.As(err, &ce) || ce.Line != line {
			t.Errorf("checkTOML10(%q) = %v, want an error on line %d", s, err, line)
		}
	}
}

// FuzzParseTOML feeds arbitrary text to the TOML path, including the
// TOML 1.0 check and every typed getter.
func FuzzParseTOML(f *testing.F) {
	for _, s := range []string{"[tool.coverage.run]\nbranch = true\nomit = [\"a\"]\n", "[run]\nprecision = \"2\"\n", "a = {x = 1,\n}", "s = \"\\e\"", "[tool]\ncoverage = 1\n"} {
		f.Add(s)
	}
	env := func(string) (string, bool) { return "", false }
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parseTOML("f.toml", []byte(s), true, env)
		if err != nil {
			return
		}
		for _, spec := range optionSpecs {
			if p.hasOption(spec.section, spec.option) {
				spec.get(p)
				p.line(spec.section, spec.option)
			}
		}
		for _, sec := range []string{"run", "report", "paths"} {
			for _, o := range p.options(sec) {
				p.getList(sec, o)
			}
		}
	})
}
