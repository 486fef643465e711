//go:build unix

package pth_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/covkit/covkit/internal/testbed"
)

// TestStartupBenchmark measures the start-up cost of `python -c pass` in each
// bed: bare, hook installed with no run, run active, and coverage.py's own
// process_startup where it ships one. Figures only, never asserted (timings
// on a shared machine); run with COVKIT_BENCH=1 (COVKIT_BENCH_N starts per mode).
func TestStartupBenchmark(t *testing.T) {
	if os.Getenv("COVKIT_BENCH") == "" {
		t.Skip("set COVKIT_BENCH=1 to run the start-up benchmark")
	}
	n := 200
	if v, err := strconv.Atoi(os.Getenv("COVKIT_BENCH_N")); err == nil && v > 0 {
		n = v
	}
	for _, name := range testbed.Names {
		t.Run(name, func(t *testing.T) {
			r := setup(t, name)
			copyFile("testdata/bench/bench.py", filepath.Join(r.host, "bench.py"), 0o644)
			copyFile("testdata/bench/small.py", filepath.Join(r.host, "small.py"), 0o644)
			os.MkdirAll(filepath.Join(r.host, "cps"), 0o755)
			os.WriteFile(filepath.Join(r.host, "cps.rc"), []byte("[run]\nparallel = true\ndata_file = "+r.bed+"/cps/.coverage\n"), 0o644)
			res := r.b.MustRun(t, r.bed, r.env, r.covhook, "install", "--python", bedPython)
			t.Cleanup(func() { r.b.Run(t, r.bed, r.env, r.covhook, "remove", "--python", bedPython) })
			hook := strings.TrimSpace(strings.Fields(strings.TrimPrefix(res.Stdout, "installed "))[0])
			out := r.b.MustRun(t, r.bed, r.env, r.covhook, "run", "--no-install", "--python", bedPython,
				"--data-dir", r.bed+"/data", "--", bedPython, r.bed+"/bench.py", hook, fmt.Sprint(n), r.bed+"/cps.rc", r.bed+"/small.py")
			t.Logf("%s, %d starts per mode, median ms:\n%s", name, n, out.Stdout)
		})
	}
}
