// Command covrun benchmarks covrun against coverage.py's own multi-process
// measurement on the same suite, in the same run.
//
//	go run ./bench/covrun [-bed sid] [-procs 200] [-rounds 3] [-dont-write-bytecode]
//
// The suite is a generated project whose driver starts -procs Python
// subprocesses, each importing and exercising part of the project. It is
// timed two ways, alternating, -rounds times each:
//
//   - coverage.py: `coverage run` with `[run] patch = subprocess` and
//     `parallel = true` (coverage.py 7.10+), then `coverage combine` and
//     `coverage report`;
//   - covkit: `covrun -- python3 suite.py` (hooks, run, merge and report).
//
// Wall time includes merging and reporting in both. It prints the medians
// and the ratio, and both TOTAL lines so the results can be compared.
// PYTHONDONTWRITEBYTECODE is unset in the bed unless -dont-write-bytecode.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/covkit/covkit/internal/testbed"
)

func main() {
	bedName := flag.String("bed", "sid", "test bed (needs coverage.py 7.10+ for patch = subprocess)")
	procs := flag.Int("procs", 200, "Python subprocesses the suite starts")
	rounds := flag.Int("rounds", 3, "timed runs of each tool")
	dwb := flag.Bool("dont-write-bytecode", false, "set PYTHONDONTWRITEBYTECODE=1 for both tools")
	flag.Parse()
	if err := bench(*bedName, *procs, *rounds, *dwb); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func bench(bedName string, procs, rounds int, dwb bool) error {
	bed, err := testbed.Lookup(bedName)
	if err != nil {
		return err
	}
	root := "/tmp"
	if bed.Root != "" {
		root = filepath.Join(bed.Root, "tmp")
	}
	work, err := os.MkdirTemp(root, "covkit-bench-covrun-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	bin := filepath.Join(work, "bin")
	build := exec.Command("go", "build", "-o", bin+"/", "./cmd/covrun")
	build.Dir = testbed.RepoRoot()
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("build covrun: %v\n%s", err, out)
	}

	covDir := filepath.Join(work, "coveragepy")
	kitDir := filepath.Join(work, "covkit")
	for _, d := range []string{covDir, kitDir} {
		if err := writeProject(d, procs); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(covDir, ".coveragerc"), []byte("[run]\nparallel = true\npatch = subprocess\n"), 0o644); err != nil {
		return err
	}

	env := []string{"PATH=" + bed.BedPath(bin) + ":/usr/sbin:/usr/bin:/sbin:/bin"}
	mode := "bytecode writing on (PYTHONDONTWRITEBYTECODE unset)"
	if dwb {
		env = append(env, "PYTHONDONTWRITEBYTECODE=1")
		mode = "PYTHONDONTWRITEBYTECODE=1"
	}
	run := func(dir string, args ...string) (string, time.Duration, error) {
		c := bed.Command(context.Background(), bed.BedPath(dir), env, args...)
		if bed.Root == "" {
			c.Env = append(c.Env, env...)
		}
		var out bytes.Buffer
		c.Stdout, c.Stderr = &out, &out
		t0 := time.Now()
		err := c.Run()
		d := time.Since(t0)
		if err != nil {
			return out.String(), d, fmt.Errorf("%v: %v\n%s", args, err, out.String())
		}
		return out.String(), d, nil
	}
	coverageRun := func() (string, time.Duration, error) {
		os.Remove(filepath.Join(covDir, ".coverage"))
		_, d1, err := run(covDir, "python3", "-m", "coverage", "run", "suite.py")
		if err != nil {
			return "", 0, err
		}
		_, d2, err := run(covDir, "python3", "-m", "coverage", "combine", "-q")
		if err != nil {
			return "", 0, err
		}
		out, d3, err := run(covDir, "python3", "-m", "coverage", "report")
		return out, d1 + d2 + d3, err
	}
	covrun := func() (string, time.Duration, error) {
		os.Remove(filepath.Join(kitDir, ".coverage"))
		return run(kitDir, "covrun", "--", "python3", "suite.py")
	}

	fmt.Printf("bed %s, %d subprocesses, %d rounds, %s\n", bed.Name, procs, rounds, mode)
	// A warm-up of each, so neither pays for cold caches.
	if _, _, err := coverageRun(); err != nil {
		return err
	}
	if _, _, err := covrun(); err != nil {
		return err
	}
	var tc, tk []time.Duration
	var outC, outK string
	for i := 0; i < rounds; i++ {
		o, d, err := coverageRun()
		if err != nil {
			return err
		}
		tc, outC = append(tc, d), o
		o, d, err = covrun()
		if err != nil {
			return err
		}
		tk, outK = append(tk, d), o
	}
	mc, mk := median(tc), median(tk)
	fmt.Printf("coverage.py run+combine+report  median %7.2fs  %v\n", mc.Seconds(), tc)
	fmt.Printf("covrun (hooks+run+merge+report) median %7.2fs  %v\n", mk.Seconds(), tk)
	fmt.Printf("ratio covrun/coverage.py: %.2fx\n", mk.Seconds()/mc.Seconds())
	fmt.Printf("coverage.py %s\ncovrun      %s\n", total(outC), total(outK))
	return nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

var totalRe = regexp.MustCompile(`(?m)^TOTAL.*$`)

func total(out string) string { return strings.TrimSpace(totalRe.FindString(out)) }

// writeProject writes a small package and a suite driver that starts procs
// subprocesses, each exercising a different slice of the package.
func writeProject(dir string, procs int) error {
	files := map[string]string{
		"suite.py": fmt.Sprintf(`import subprocess
import sys

for i in range(%d):
    subprocess.run([sys.executable, "worker.py", str(i)], check=True)
print("suite done")
`, procs),
		"worker.py": `import sys

from pkg import shapes, text

i = int(sys.argv[1])
if i %% 2:
    shapes.area("square", i)
else:
    shapes.area("circle", i)
text.words("a b c " * (i %% 7))
`,
		"pkg/__init__.py": "",
		"pkg/shapes.py": `import math


def area(kind, n):
    if kind == "square":
        return n * n
    if kind == "circle":
        return math.pi * n * n
    raise ValueError(kind)
`,
		"pkg/text.py": `def words(s):
    out = []
    for w in s.split():
        if w:
            out.append(w.upper())
    return out


def unused(s):
    return s[::-1]
`,
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		body = strings.ReplaceAll(body, "%%", "%")
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
}
