package reporting

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/covkit/covkit/analysis"
	"github.com/covkit/covkit/internal/testfiles"
	"github.com/covkit/covkit/sqlitecov"
	"github.com/spf13/pflag"
)

// writeReports runs WriteReports on one file, m.py, of which lines 1 and 2
// of 4 statements ran, with the flags given.
func writeReports(t *testing.T, args ...string) (Outcome, string, string, error) {
	t.Helper()
	dir, _ := filepath.EvalSymlinks(t.TempDir())
	testfiles.Write(t, dir, map[string]string{"m.py": "a = 1\nb = 2\nc = 3\nd = 4\n"})
	d := sqlitecov.NewData()
	d.HasLines = true
	d.Meta["version"] = "7.16.1"
	d.SetMeasured([]sqlitecov.Source{{Python: "3.14", Coverage: "7.16.1"}})
	d.File(filepath.Join(dir, "m.py")).Lines = map[string][]int{"": {1, 2}}
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	f := AddFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	o, err := WriteReports(analysis.BuilderFor(d), f, DefaultSettings(), analysis.PySourceAnalyzer(), Env{
		Dir: dir, Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }, Environ: []string{},
	})
	return o, stdout.String(), stderr.String(), err
}

// --fail-under is a value of the outcome, not an error: the command
// decides the exit status; the failure is printed under the table.
func TestFailUnder(t *testing.T) {
	o, stdout, _, err := writeReports(t, "--fail-under=60")
	if err != nil {
		t.Fatal(err)
	}
	if !o.FailedUnder || o.Total != 50 {
		t.Errorf("outcome %+v, want a total of 50 failing --fail-under=60", o)
	}
	if !strings.HasSuffix(stdout, "Coverage failure: total of 50 is less than fail-under=60\n") {
		t.Errorf("stdout:\n%s", stdout)
	}
	o, stdout, _, err = writeReports(t, "--fail-under=50")
	if err != nil || o.FailedUnder || strings.Contains(stdout, "failure") {
		t.Errorf("--fail-under=50 with 50%%: %+v, %v\n%s", o, err, stdout)
	}
}

// A report that cannot be written leaves none of the others behind.
func TestReportsAllOrNone(t *testing.T) {
	dir := t.TempDir()
	xml, json := filepath.Join(dir, "coverage.xml"), filepath.Join(dir, "coverage.json")
	if err := os.Mkdir(json, 0o777); err != nil { // a directory: no JSON report there
		t.Fatal(err)
	}
	_, _, _, err := writeReports(t, "--xml", xml, "--json", json)
	if err == nil || !strings.Contains(err.Error(), "JSON report") {
		t.Fatalf("err = %v, want the JSON report's", err)
	}
	if _, err := os.Stat(xml); !os.IsNotExist(err) {
		t.Errorf("the XML report was written (%v)", err)
	}
}

func TestUnknownReport(t *testing.T) {
	if _, _, _, err := writeReports(t, "--reports", "text,pdf"); err == nil || !strings.Contains(err.Error(), `unknown report "pdf"`) {
		t.Errorf("err = %v", err)
	}
}
