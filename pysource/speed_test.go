//go:build unix

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

	"github.com/covkit/covkit/internal/conformance"
	"github.com/covkit/covkit/internal/testbed"
)

//go:embed conformance/bench.py
var benchScript []byte

// corpusFiles lists the *.py files under the bed's standard library and
// dist-packages, as host paths, in the order of the conformance dump's
// corpus walk (dumpcommon.files).
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
// prints the ratio. The two sides take turns, speedRounds rounds of one
// pass each, so that both meet the same machine (CPU speed on shared
// machines drifts by 2x over minutes); each is timed in CPU seconds and the
// best round of each counts. It never fails on timings.
//
//	go test ./pysource -run TestSpeedRatio -v
func TestSpeedRatio(t *testing.T) {
	if raceEnabled {
		t.Skip("skipping: timings mean nothing under the race detector")
	}
	b := testbed.Get(t, "sid")
	host, inBed := b.TempDir(t)
	if err := conformance.WriteScript(host, "bench.py", benchScript); err != nil {
		t.Fatal(err)
	}
	files := corpusFiles(t, b, "/usr/lib/python3.14")
	srcs := make([][]byte, 0, len(files))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			// An absolute symlink points inside the bed.
			if target, lerr := os.Readlink(f); lerr == nil && filepath.IsAbs(target) {
				data, err = os.ReadFile(b.HostPath(target))
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, data)
	}
	opts := Options{Version: Version{Major: 3, Minor: 14}, Coverage: Version{Major: 7, Minor: 16}}

	var pyFiles int
	pyBest, goBest := 0.0, 0.0
	for round := 0; round < speedRounds; round++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		out, err := b.Command(ctx, inBed, nil, b.Python, inBed+"/bench.py").Output()
		cancel()
		if err != nil {
			t.Fatalf("bench.py: %v", err)
		}
		var pySecs float64
		if _, err := fmt.Sscan(string(out), &pyFiles, &pySecs); err != nil {
			t.Fatalf("bench.py said %q: %v", out, err)
		}
		// CPU time (all threads, so the garbage collector's too).
		start := cpuSeconds()
		for i, src := range srcs {
			Analyze(files[i], src, opts)
		}
		goSecs := cpuSeconds() - start
		t.Logf("round %d: coverage.py %.2fs, pysource %.2fs, ratio %.1fx", round+1, pySecs, goSecs, pySecs/goSecs)
		if round == 0 || pySecs < pyBest {
			pyBest = pySecs
		}
		if round == 0 || goSecs < goBest {
			goBest = goSecs
		}
	}
	t.Logf("CPU time, best of %d rounds: coverage.py 7.16 PythonParser: %d files in %.2fs; pysource.Analyze: %d files in %.2fs; ratio %.1fx",
		speedRounds, pyFiles, pyBest, len(srcs), goBest, pyBest/goBest)
}

const speedRounds = 3

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
	opts := Options{Version: Version{Major: 3, Minor: 14}, Coverage: Version{Major: 7, Minor: 16}}
	for b.Loop() {
		for i, src := range srcs {
			Analyze(files[i], src, opts)
		}
	}
}
