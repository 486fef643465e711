// Package examples holds the README's demo; its test runs the demo pipeline
// and the pipeline's own test suite under covrun, as a user would.
package examples_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/covkit/covkit/internal/testbed"
)

// build makes the static covkit binaries the demo uses.
func build(t *testing.T) string {
	t.Helper()
	bin := t.TempDir()
	cmd := exec.Command("go", "build", "-o", bin+"/", "../cmd/covrun", "../cmd/covdocker")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// copyTree copies the pipeline so the test never writes into the checkout.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if info.IsDir() {
			if info.Name() == "__pycache__" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if strings.HasPrefix(info.Name(), ".coverage.") || info.Name() == ".coverage" {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, info.Mode())
	})
	if err != nil {
		t.Fatal(err)
	}
}

func row(t *testing.T, out, file string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(file) + ` .*$`).FindString(out)
	if m == "" {
		t.Errorf("report has no row for %s:\n%s", file, out)
	}
	return m
}

func TestPipelineUnderCovrun(t *testing.T) {
	testbed.Get(t, "host")
	bin := build(t)
	dir := t.TempDir()
	copyTree(t, "pipeline", dir)
	env := append(os.Environ(), "PATH=/usr/bin:/bin:"+bin)

	t.Run("orchestrator", func(t *testing.T) {
		cmd := exec.Command(filepath.Join(bin, "covrun"), "--no-docker", "--python", "/usr/bin/python3", "--", "python3", "orchestrator.py", "--workers", "2")
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("covrun: %v\n%s", err, out)
		}
		s := string(out)
		if !strings.Contains(s, "pipeline: 3 files, 4361 records") {
			t.Fatalf("pipeline output missing:\n%s", s)
		}
		// processor.py runs only in subprocesses, scoring.score only in
		// the spawned pool's workers: both must be measured.
		for file, want := range map[string]string{
			"processor.py": `^processor\.py +44 +1 +98% +38$`,
			"scoring.py":   `^scoring\.py +6 +0 +100%$`,
			"validate.py":  `^validate\.py +10 +3 +70% +8, 10, 12$`,
		} {
			if r := row(t, s, file); !regexp.MustCompile(want).MatchString(r) {
				t.Errorf("%s row = %q, want %s", file, r, want)
			}
		}
	})

	t.Run("pytest", func(t *testing.T) {
		cmd := exec.Command(filepath.Join(bin, "covrun"), "--no-docker", "--python", "/usr/bin/python3", "--", "python3", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2", "tests")
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("covrun pytest: %v\n%s", err, out)
		}
		s := string(out)
		if !strings.Contains(s, "6 passed") {
			t.Fatalf("pytest output:\n%s", s)
		}
		// The tests call processor.py in-process and as a program, and the
		// whole pipeline from a worker: everything but the usage error runs.
		if r := row(t, s, "processor.py"); !regexp.MustCompile(`^processor\.py +44 +1 +98% +38$`).MatchString(r) {
			t.Errorf("processor.py row = %q", r)
		}
		if r := row(t, s, "scoring.py"); !regexp.MustCompile(`^scoring\.py +6 +0 +100%$`).MatchString(r) {
			t.Errorf("scoring.py row = %q", r)
		}
	})
}
