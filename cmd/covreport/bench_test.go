package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/covkit/covkit/bench/merge/corpus"
	"github.com/covkit/covkit/internal/testbed"
	"github.com/google/go-cmp/cmp"
)

// TestSpeedVsCoveragePy times covreport writing all four reports against
// coverage.py 7.16's four commands (report, xml, lcov, json) on the same
// merged data of a 300-module project, in the sid bed, and checks the
// outputs are the same. It reports the figures; it asserts no timing.
// Run with COVKIT_BENCH=1 (it takes about a minute).
func TestSpeedVsCoveragePy(t *testing.T) {
	if os.Getenv("COVKIT_BENCH") != "1" {
		t.Skip("set COVKIT_BENCH=1 to run the report benchmark")
	}
	b := testbed.Get(t, "sid")
	bin := covreportBinary(t)
	host, inBed := b.TempDir(t)
	if err := (corpus.Project{Modules: 300, Funcs: 6, Seed: 7}).Write(host); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(bin)
	os.WriteFile(filepath.Join(host, "covreport"), data, 0o755)
	os.WriteFile(filepath.Join(host, ".coveragerc"), []byte("[run]\nparallel = true\n"), 0o666)
	for _, seed := range []string{"1", "2", "3"} {
		b.MustRun(t, inBed, nil, b.Python, "-m", "coverage", "run", "run.py", seed)
	}
	b.MustRun(t, inBed, nil, b.Python, "-m", "coverage", "combine", "-q")
	os.MkdirAll(filepath.Join(host, "py"), 0o777)
	os.MkdirAll(filepath.Join(host, "go"), 0o777)

	timeIt := func(args ...string) time.Duration {
		start := time.Now()
		b.MustRun(t, inBed, nil, args...)
		return time.Since(start)
	}
	// Warm the page cache and Python's bytecode cache once.
	b.MustRun(t, inBed, nil, b.Python, "-m", "coverage", "report")
	b.MustRun(t, inBed, nil, "./covreport", "--text")

	const rounds = 3
	best := func(f func() time.Duration) time.Duration {
		m := time.Duration(1 << 62)
		for range rounds {
			m = min(m, f())
		}
		return m
	}
	py := best(func() time.Duration {
		return timeIt("sh", "-c", "python3 -m coverage report > py/report.txt && python3 -m coverage xml -q -o py/coverage.xml && python3 -m coverage lcov -q -o py/coverage.lcov && python3 -m coverage json -q -o py/coverage.json")
	})
	gobin := best(func() time.Duration {
		return timeIt("sh", "-c", "./covreport --text --xml go/coverage.xml --lcov go/coverage.lcov --json go/coverage.json > go/report.txt 2>/dev/null")
	})
	// The shell and chroot start-up is in both figures; measure it alone.
	base := best(func() time.Duration { return timeIt("true") })
	t.Logf("300 modules, merged data of 3 runs: coverage.py 7.16 four commands %v, covreport %v (bed start-up %v each)", py, gobin, base)
	if gobin > base {
		t.Logf("speed-up: %.1fx (%.1fx with start-up)", float64(py-base)/float64(gobin-base), float64(py)/float64(gobin))
	}
	for _, f := range []string{"report.txt", "coverage.xml", "coverage.lcov", "coverage.json"} {
		want, _ := os.ReadFile(filepath.Join(host, "py", f))
		got, _ := os.ReadFile(filepath.Join(host, "go", f))
		if d := cmp.Diff(normalise(string(want)), normalise(string(got))); d != "" {
			t.Errorf("%s differs (-coverage.py +covreport):\n%s", f, d)
		}
	}
}
