package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/covkit/covkit/bench/merge/corpus"
	"github.com/covkit/covkit/internal/testbed"
	"github.com/covkit/covkit/internal/testfiles"
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
	for _, branch := range []bool{false, true} {
		name := "lines"
		if branch {
			name = "branches"
		}
		t.Run(name, func(t *testing.T) { speedVsCoveragePy(t, branch) })
	}
}

func speedVsCoveragePy(t *testing.T, branch bool) {
	b := testbed.Get(t, "sid")
	bin := covreportBinary(t)
	host, inBed := b.TempDir(t)
	if err := (corpus.Project{Modules: 300, Funcs: 6, Seed: 7}).Write(host); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(bin)
	os.WriteFile(filepath.Join(host, "covreport"), data, 0o755)
	rc := "[run]\nparallel = true\n"
	if branch {
		rc += "branch = true\n"
	}
	os.WriteFile(filepath.Join(host, ".coveragerc"), []byte(rc), 0o666)
	for _, seed := range []string{"1", "2", "3"} {
		b.MustRun(t, inBed, nil, b.Python, "-m", "coverage", "run", "run.py", seed)
	}
	b.MustRun(t, inBed, nil, b.Python, "-m", "coverage", "combine", "-q")
	os.MkdirAll(filepath.Join(host, "py"), 0o777)
	os.MkdirAll(filepath.Join(host, "go"), 0o777)

	type cost struct{ wall, cpu time.Duration }
	timeIt := func(args ...string) cost {
		cmd := b.Command(context.Background(), inBed, nil, args...)
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%q: %v\n%s", args, err, out)
		}
		wall := time.Since(start)
		// The rusage of the reaped command includes the processes it
		// waited for: the CPU time is robust on a shared, loaded machine.
		return cost{wall, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}
	}
	// Warm the page cache and Python's bytecode cache once.
	b.MustRun(t, inBed, nil, b.Python, "-m", "coverage", "report")
	b.MustRun(t, inBed, nil, "./covreport", "--text")

	const rounds = 3
	best := func(args ...string) cost {
		m := cost{1 << 62, 1 << 62}
		for range rounds {
			c := timeIt(args...)
			m.wall = min(m.wall, c.wall)
			m.cpu = min(m.cpu, c.cpu)
		}
		return m
	}
	py := best("sh", "-c", "python3 -m coverage report > py/report.txt && python3 -m coverage xml -q -o py/coverage.xml && python3 -m coverage lcov -q -o py/coverage.lcov && python3 -m coverage json -q -o py/coverage.json")
	gobin := best("sh", "-c", "./covreport --text --xml go/coverage.xml --lcov go/coverage.lcov --json go/coverage.json > go/report.txt 2>/dev/null")
	// The shell and chroot start-up is in both figures; measure it alone.
	base := best("true")
	t.Logf("branch=%v, 300 modules, merged data of 3 runs: coverage.py 7.16 four commands %v wall %v CPU; covreport %v wall %v CPU; bed start-up %v wall %v CPU",
		branch, py.wall, py.cpu, gobin.wall, gobin.cpu, base.wall, base.cpu)
	t.Logf("speed-up: %.1fx in CPU time, %.1fx in wall time (start-up subtracted)",
		float64(py.cpu-base.cpu)/float64(max(gobin.cpu-base.cpu, 1)), float64(py.wall-base.wall)/float64(max(gobin.wall-base.wall, 1)))
	for _, f := range []string{"report.txt", "coverage.xml", "coverage.lcov", "coverage.json"} {
		want, _ := os.ReadFile(filepath.Join(host, "py", f))
		got, _ := os.ReadFile(filepath.Join(host, "go", f))
		if d := cmp.Diff(testfiles.WithoutTimestamps(string(want)), testfiles.WithoutTimestamps(string(got))); d != "" {
			t.Errorf("%s differs (-coverage.py +covreport):\n%s", f, d)
		}
	}
}
