package pysource

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/covkit/covkit/internal/testbed"
)

//go:embed conformance/bench.py
var benchScript []byte

// corpusFiles lists the *.py files under the bed's standard library and
// dist-packages, as host paths, in dump.py's order.
func corpusFiles(t testing.TB, b *testbed.Bed, stdlib string) []string {
	var files []string
	for _, root := range []string{stdlib, "/usr/lib/python3/dist-packages"} {
		filepath.WalkDir(b.HostPath(root), func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() && (d.Name() == "__pycache__" || d.Name() == "site-packages") {
				return filepath.SkipDir
			}
			if !d.IsDir() && strings.HasSuffix(p, ".py") {
				files = append(files, p)
			}
			return nil
		})
	}
	return files
}

// TestSpeedRatio times Analyze against coverage.py's PythonParser over the
// sid bed's whole standard library and dist-packages, one core each, and
// prints the ratio. Each side is timed in CPU seconds, best of speedPasses
// passes over the same sources (the machine may be shared). It never fails
// on timings.
//
//	go test ./pysource -run TestSpeedRatio -v
func TestSpeedRatio(t *testing.T) {
	if raceEnabled {
		t.Skip("skipping: timings mean nothing under the race detector")
	}
	b := testbed.Get(t, "sid")
	host, inBed := b.TempDir(t)
	for name, data := range map[string][]byte{"bench.py": benchScript, "dump.py": dumpScript} {
		if err := os.WriteFile(filepath.Join(host, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	out, err := b.Command(ctx, inBed, nil, b.Python, inBed+"/bench.py", "-r", fmt.Sprint(speedPasses)).Output()
	if err != nil {
		t.Fatalf("bench.py: %v", err)
	}
	var pyFiles int
	var pySecs float64
	if _, err := fmt.Sscan(string(out), &pyFiles, &pySecs); err != nil {
		t.Fatalf("bench.py said %q: %v", out, err)
	}

	files := corpusFiles(t, b, "/usr/lib/python3.14")
	srcs := make([][]byte, 0, len(files))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err == nil {
			srcs = append(srcs, data)
		}
	}
	opts := Options{Version: Version{3, 14}, Coverage: Version{7, 16}}
	// CPU time (all threads, so the garbage collector's too), not wall time.
	goSecs := 0.0
	for pass := 0; pass < speedPasses; pass++ {
		start := cpuSeconds()
		for i, src := range srcs {
			Analyze(files[i], src, opts)
		}
		if took := cpuSeconds() - start; pass == 0 || took < goSecs {
			goSecs = took
		}
	}
	t.Logf("CPU time, best of %d: coverage.py 7.16 PythonParser: %d files in %.2fs; pysource.Analyze: %d files in %.2fs; ratio %.1fx",
		speedPasses, pyFiles, pySecs, len(srcs), goSecs, pySecs/goSecs)
}

const speedPasses = 3

func cpuSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// BenchmarkAnalyzeStdlib analyzes the sid bed's standard library.
func BenchmarkAnalyzeStdlib(b *testing.B) {
	bed := testbed.Get(b, "sid")
	files := corpusFiles(b, bed, "/usr/lib/python3.14")
	srcs := make([][]byte, len(files))
	size := 0
	for i, f := range files {
		srcs[i], _ = os.ReadFile(f)
		size += len(srcs[i])
	}
	b.SetBytes(int64(size))
	opts := Options{Version: Version{3, 14}, Coverage: Version{7, 16}}
	for b.Loop() {
		for i, src := range srcs {
			Analyze(files[i], src, opts)
		}
	}
}
