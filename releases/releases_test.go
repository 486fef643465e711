package releases

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for in, want := range map[string]Version{
		"3.12": {3, 12, 0}, "3.9.18": {3, 9, 18}, "Python 3.14.0rc1\n": {3, 14, 0}, "3.13t": {3, 13, 0},
		"6.5.0": {6, 5, 0}, "7.10.1": {7, 10, 1}, "7.16.1": {7, 16, 1}, "7.11.0b1": {7, 11, 0},
	} {
		if got, err := Parse(in); err != nil || got != want {
			t.Errorf("Parse(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "3", "x.y", "3.x"} {
		if _, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) gave no error", in)
		}
	}
	if _, err := ParsePython("7.16"); err == nil {
		t.Error("ParsePython(7.16) gave no error")
	}
	if v, err := ParsePython("3.11.4"); err != nil || v != (Version{3, 11, 0}) {
		t.Errorf("ParsePython(3.11.4) = %v, %v", v, err)
	}
	if _, err := ParseCoverage("3.11"); err == nil {
		t.Error("ParseCoverage(3.11) gave no error")
	}
}

func TestClampPython(t *testing.T) {
	for in, want := range map[Version]Version{{}: LatestPython, {3, 8, 0}: MinPython, {3, 15, 0}: MaxPython, {3, 12, 4}: {3, 12, 0}} {
		if got := ClampPython(in); got != want {
			t.Errorf("ClampPython(%v) = %v, want %v", in, got, want)
		}
	}
}

// TestCoverageRules pins which release changed what.
func TestCoverageRules(t *testing.T) {
	tests := []struct {
		v                      string
		exclude, partialAlways []string
		also, partialAlso      bool
	}{
		{"6.5.0", []string{pragmaNoCover}, []string{whileConstant, ifConstant}, false, false},
		{"7.1.0", []string{pragmaNoCover}, []string{whileConstant, ifConstant}, false, false},
		{"7.2.0", []string{pragmaNoCover}, []string{whileConstant, ifConstant}, true, false},
		{"7.6.0", []string{pragmaNoCover}, []string{whileConstant, ifConstant}, true, false},
		{"7.10.0", []string{pragmaNoCover, stubBody}, []string{whileConstant, ifConstant, typeChecking}, true, true},
		{"7.10.1", []string{pragmaNoCover, stubBody, typeChecking}, []string{whileConstant, ifConstant}, true, true},
		{"7.14.2", []string{pragmaNoCover, stubBody, typeChecking}, []string{whileConstant, ifConstant}, true, true},
		{"7.14.3", []string{pragmaNoCover, stubBodyBrackets, typeChecking}, []string{whileConstant, ifConstant}, true, true},
		{"7.16.1", []string{pragmaNoCover, stubBodyBrackets, typeChecking}, []string{whileConstant, ifConstant}, true, true},
	}
	for _, tt := range tests {
		v, _ := ParseCoverage(tt.v)
		r := CoverageRules(v)
		if !slices.Equal(r.Exclude, tt.exclude) || !slices.Equal(r.PartialAlways, tt.partialAlways) ||
			!slices.Equal(r.Partial, []string{pragmaNoBranch}) || r.ExcludeAlso != tt.also || r.PartialAlso != tt.partialAlso {
			t.Errorf("CoverageRules(%s) = %+v", tt.v, r)
		}
	}
	if !slices.Equal(CoverageRules(Version{}).Exclude, CoverageRules(LatestCoverage).Exclude) {
		t.Error("the zero Version is not the latest release")
	}
}

func TestRegexes(t *testing.T) {
	cov65, cov716 := CoverageRules(Version{6, 5, 0}), CoverageRules(Version{7, 16, 1})
	tests := []struct {
		name  string
		rules Rules
		c     Configured
		want  Regexes
	}{
		{"defaults", cov716, Configured{}, Regexes{cov716.Exclude, cov716.Partial, cov716.PartialAlways}},
		{"6.5 defaults", cov65, Configured{}, Regexes{[]string{pragmaNoCover}, cov65.Partial, cov65.PartialAlways}},
		{"exclude_lines replaces, exclude_also adds", cov716, Configured{ExcludeLines: []string{"a"}, ExcludeAlso: []string{"b"}}, Regexes{[]string{"a", "b"}, cov716.Partial, cov716.PartialAlways}},
		{"6.5 ignores exclude_also and partial_also", cov65, Configured{ExcludeAlso: []string{"b"}, PartialAlso: []string{"p"}}, Regexes{[]string{pragmaNoCover}, cov65.Partial, cov65.PartialAlways}},
		{"empty lists stay empty", cov716, Configured{ExcludeLines: []string{}, PartialAlways: []string{}}, Regexes{[]string{}, cov716.Partial, []string{}}},
		{"partial_also", cov716, Configured{PartialBranches: []string{"x"}, PartialAlso: []string{"y"}}, Regexes{cov716.Exclude, []string{"x", "y"}, cov716.PartialAlways}},
	}
	for _, tt := range tests {
		got := tt.rules.Regexes(tt.c)
		if !slices.Equal(got.Exclude, tt.want.Exclude) || !slices.Equal(got.Partial, tt.want.Partial) || !slices.Equal(got.PartialAlways, tt.want.PartialAlways) {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
	// The result never aliases the table.
	r := CoverageRules(Version{})
	r.Regexes(Configured{}).Exclude[0] = "x"
	if CoverageRules(Version{}).Exclude[0] == "x" {
		t.Error("Regexes shares the default list")
	}
}

// TestHostCoverageDefaults checks the table against the host's own
// coverage.py (the beds' are checked by pysource's conformance test).
func TestHostCoverageDefaults(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: runs the host bed's coverage.py (-short)")
	}
	py := "/usr/bin/python3"
	out, err := exec.Command(py, "-c", `import coverage, coverage.config as c
print(coverage.__version__)
for l in (c.DEFAULT_EXCLUDE, c.DEFAULT_PARTIAL, c.DEFAULT_PARTIAL_ALWAYS):
    print("\x1f".join(l))`).Output()
	if err != nil {
		t.Skipf("skipping: no coverage.py at %s", py)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	v, err := ParseCoverage(lines[0])
	if err != nil {
		t.Fatal(err)
	}
	r := CoverageRules(v)
	for i, got := range [][]string{r.Exclude, r.Partial, r.PartialAlways} {
		if want := strings.Split(lines[i+1], "\x1f"); !slices.Equal(got, want) {
			t.Errorf("coverage.py %s list %d: %q, table says %q", v, i, want, got)
		}
	}
}
