// Command merge benchmarks covmerge against `coverage combine`.
//
//	go run ./bench/merge [-bed sid] [-modules 300] [-real 40] [-files 1000,10000]
//
// It writes a generated project (bench/merge/corpus) into the test bed, runs
// it under real coverage.py with branch coverage -real times (different
// seeds, so different data), then builds each corpus of -files data files by
// cloning those real files with variations (each clone drops a few percent
// of arcs at random, so no two files are alike and duplicate detection does
// not shortcut the work). Clones are written by sqlitecov; before use, a
// sample of them is read back by coverage.py itself and must match.
//
// For each corpus size it makes two identical copies and times covmerge on
// one and `coverage combine` on the other in the same run, reporting wall
// time and peak RSS of each and the ratio, and checks the two outputs hold
// the same data.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/covkit/covkit/bench/internal/benchkit"
	"github.com/covkit/covkit/bench/merge/corpus"
	"github.com/covkit/covkit/internal/testbed"
	"github.com/covkit/covkit/sqlitecov"
	"github.com/google/go-cmp/cmp"
)

func main() {
	bedName := flag.String("bed", "sid", "test bed whose coverage.py makes the data and combines")
	modules := flag.Int("modules", 300, "modules in the generated project")
	nreal := flag.Int("real", 40, "distinct data files made by real coverage.py runs")
	fraction := flag.Float64("fraction", 0.35, "fraction of modules each run exercises")
	sizes := flag.String("files", "1000,10000", "corpus sizes to time")
	drop := flag.Float64("drop", 0.03, "fraction of arcs each clone drops")
	parallel := flag.Int("p", 2, "coverage.py runs at once while generating")
	keep := flag.Bool("keep", false, "keep the work directory")
	skipCoverage := flag.String("skip-coverage", "", "corpus sizes for which not to time coverage combine")
	flag.Parse()
	benchkit.Exit(bench(*bedName, *modules, *nreal, *fraction, *sizes, *drop, *parallel, *keep, *skipCoverage))
}

func bench(bedName string, modules, nreal int, fraction float64, sizes string, drop float64, parallel int, keep bool, skipCoverage string) error {
	bed, root, err := benchkit.Bed(bedName)
	if err != nil {
		return err
	}
	work := filepath.Join(root, "covkit-bench-merge")
	if !keep {
		defer os.RemoveAll(work)
	}
	proj := filepath.Join(work, "proj")
	realDir := filepath.Join(work, "real")
	if err := os.MkdirAll(realDir, 0o777); err != nil {
		return err
	}

	// 1. Real data files.
	have, _ := filepath.Glob(filepath.Join(realDir, ".coverage.*"))
	if len(have) < nreal {
		os.RemoveAll(proj)
		if err := (corpus.Project{Modules: modules, Funcs: 6, Seed: 1}).Write(proj); err != nil {
			return err
		}
		os.WriteFile(filepath.Join(proj, ".coveragerc"), []byte("[run]\nbranch = True\nparallel = True\n"), 0o666)
		start := time.Now()
		sem := make(chan struct{}, parallel)
		var wg sync.WaitGroup
		var mu sync.Mutex
		var firstErr error
		for i := len(have); i < nreal; i++ {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				out, err := bed.Command(bgctx, bed.BedPath(proj), []string{"COVERAGE_FILE=" + bed.BedPath(realDir) + "/.coverage"},
					"python3", "-m", "coverage", "run", "run.py", strconv.Itoa(i), fmt.Sprint(fraction)).CombinedOutput()
				if err != nil {
					mu.Lock()
					firstErr = fmt.Errorf("coverage run: %v\n%s", err, out)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if firstErr != nil {
			return firstErr
		}
		fmt.Printf("made %d real data files with coverage.py in %s in %.1fs\n", nreal, bedName, time.Since(start).Seconds())
	}
	reals, _ := filepath.Glob(filepath.Join(realDir, ".coverage.*"))
	reals = reals[:nreal]
	var realData []*sqlitecov.Data
	var totalArcs, totalBytes int
	for _, f := range reals {
		d, err := sqlitecov.ReadFile(f)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		realData = append(realData, d)
		st, _ := os.Stat(f)
		totalBytes += int(st.Size())
		for _, fd := range d.Files {
			totalArcs += len(fd.AllArcs())
		}
	}
	fmt.Printf("real files: %d, mean %.0f KB and %d arc rows each, %d measured files in the first\n",
		len(reals), float64(totalBytes)/float64(len(reals))/1024, totalArcs/len(reals), len(realData[0].Files))

	if err := benchkit.Build(work, "covmerge"); err != nil {
		return err
	}

	for _, s := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return err
		}
		if err := timeSize(bed, work, n, realData, drop, slices.Contains(strings.Split(skipCoverage, ","), s)); err != nil {
			return err
		}
	}
	return nil
}

// clone varies d: every arc is dropped with probability drop.
func clone(d *sqlitecov.Data, rng *rand.Rand, drop float64) *sqlitecov.Data {
	c := sqlitecov.NewData()
	c.HasArcs, c.HasLines = d.HasArcs, d.HasLines
	c.Meta["version"] = d.Meta["version"]
	c.Contexts = d.Contexts
	for p, f := range d.Files {
		nf := c.File(p)
		nf.Tracer = f.Tracer
		nf.Arcs = map[string][][2]int{}
		for ctx, arcs := range f.Arcs {
			var keep [][2]int
			for _, a := range arcs {
				if rng.Float64() >= drop {
					keep = append(keep, a)
				}
			}
			nf.Arcs[ctx] = keep
		}
	}
	return c
}

func timeSize(bed *testbed.Bed, work string, n int, reals []*sqlitecov.Data, drop float64, skipCoverage bool) error {
	dir := filepath.Join(work, fmt.Sprintf("corpus-%d", n))
	if have, _ := filepath.Glob(filepath.Join(dir, ".coverage.*")); len(have) != n {
		if err := makeCorpus(bed, dir, n, reals, drop); err != nil {
			return err
		}
	} else {
		fmt.Printf("\n== %d files: reusing %s\n", n, dir)
	}
	return timeSize2(bed, work, dir, dir+"-theirs", n, skipCoverage)
}

// makeCorpus writes n clones of reals into dir and has coverage.py check a
// sample of them.
func makeCorpus(bed *testbed.Bed, dir string, n int, reals []*sqlitecov.Data, drop float64) error {
	os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return err
	}
	start := time.Now()
	rng := rand.New(rand.NewPCG(uint64(n), 99))
	var bytesTotal int64
	var sample []string
	var sampleData []*sqlitecov.Data
	for k := range n {
		d := clone(reals[k%len(reals)], rng, drop)
		p := filepath.Join(dir, fmt.Sprintf(".coverage.bench.pid%d.X%06dx", k, k))
		if err := sqlitecov.WriteFile(p, d); err != nil {
			return err
		}
		st, _ := os.Stat(p)
		bytesTotal += st.Size()
		if k < 3 {
			sample = append(sample, p)
			sampleData = append(sampleData, d)
		}
	}
	fmt.Printf("\n== %d files: cloned in %.1fs, %.0f MB\n", n, time.Since(start).Seconds(), float64(bytesTotal)/1e6)
	if err := verifyClones(bed, sample, sampleData); err != nil {
		return err
	}
	fmt.Printf("coverage.py reads %d sample clones back identically\n", len(sample))
	return nil
}

func timeSize2(bed *testbed.Bed, work, dir, theirs string, n int, skipCoverage bool) error {
	os.RemoveAll(theirs)
	if out, err := exec.Command("cp", "-a", dir, theirs).CombinedOutput(); err != nil {
		return fmt.Errorf("cp: %v %s", err, out)
	}
	defer os.RemoveAll(theirs)

	oursOut := filepath.Join(work, fmt.Sprintf("ours-%d.cov", n))
	cmd := exec.Command(filepath.Join(work, "covmerge"), "--keep", "-q", "-o", oursOut, dir)
	ot, orss, ocpu, err := measureCPU(cmd)
	if err != nil {
		return err
	}
	fmt.Printf("covmerge:         %8.3fs wall %7.2fs CPU  peak RSS %6.1f MB  (%.2f ms/file wall)\n", ot.Seconds(), ocpu, orss, ot.Seconds()*1000/float64(n))
	if skipCoverage {
		return nil
	}
	theirsOut := filepath.Join(work, fmt.Sprintf("theirs-%d", n), ".coverage")
	os.MkdirAll(filepath.Dir(theirsOut), 0o777)
	cmd = bed.Command(bgctx, "/", []string{"COVERAGE_FILE=" + bed.BedPath(theirsOut)},
		"python3", "-m", "coverage", "combine", "--keep", "-q", bed.BedPath(theirs))
	tt, trss, tcpu, err := measureCPU(cmd)
	if err != nil {
		return err
	}
	fmt.Printf("coverage combine: %8.3fs wall %7.2fs CPU  peak RSS %6.1f MB  (%.2f ms/file wall)\n", tt.Seconds(), tcpu, trss, tt.Seconds()*1000/float64(n))
	fmt.Printf("ratio: covmerge is %.1fx faster (wall), %.1fx less CPU, uses %.2fx the memory\n", tt.Seconds()/ot.Seconds(), tcpu/ocpu, orss/trss)

	a, err := sqlitecov.ReadFile(oursOut)
	if err != nil {
		return err
	}
	b, err := sqlitecov.ReadFile(theirsOut)
	if err != nil {
		return err
	}
	if diff := cmp.Diff(b.Files, a.Files); diff != "" || !slices.Equal(a.Contexts, b.Contexts) {
		return fmt.Errorf("outputs differ (-coverage +covmerge):\n%s", diff)
	}
	fmt.Printf("outputs hold the same data: %d files\n", len(a.Files))
	return nil
}

// measureCPU runs cmd under /usr/bin/time and returns its wall time, peak
// RSS in MB and user+system CPU seconds. (The rusage Go's os/exec reports would include the memory of
// this process: a child created with CLONE_VM carries the parent's RSS
// high-water mark through exec.)
func measureCPU(cmd *exec.Cmd) (time.Duration, float64, float64, error) {
	tf, err := os.CreateTemp("", "bench-time-*")
	if err != nil {
		return 0, 0, 0, err
	}
	tf.Close()
	defer os.Remove(tf.Name())
	cmd.Args = append([]string{"/usr/bin/time", "-f", "%M %U %S", "-o", tf.Name()}, cmd.Args...)
	cmd.Path = "/usr/bin/time"
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err = cmd.Run()
	el := time.Since(start)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("%s: %v\n%s", cmd.Args, err, out.String())
	}
	raw, err := os.ReadFile(tf.Name())
	if err != nil {
		return 0, 0, 0, err
	}
	var kb int
	var user, sys float64
	if _, err := fmt.Sscanf(strings.TrimSpace(string(raw)), "%d %f %f", &kb, &user, &sys); err != nil {
		return 0, 0, 0, fmt.Errorf("/usr/bin/time output %q", raw)
	}
	return el, float64(kb) / 1024, user + sys, nil
}

// verifyClones has coverage.py read the clones and compares with what was
// written.
func verifyClones(bed *testbed.Bed, paths []string, want []*sqlitecov.Data) error {
	script := `import coverage, json, sys
out = []
for p in sys.argv[1:]:
    d = coverage.CoverageData(p); d.read()
    out.append({f: sorted(d.arcs(f)) for f in d.measured_files()})
print(json.dumps(out))`
	args := []string{"python3", "-c", script}
	for _, p := range paths {
		args = append(args, bed.BedPath(p))
	}
	raw, err := bed.Command(bgctx, "/", nil, args...).Output()
	if err != nil {
		return fmt.Errorf("reading clones with coverage.py: %v", err)
	}
	var got []map[string][][2]int
	if err := json.Unmarshal(raw, &got); err != nil {
		return err
	}
	for i, d := range want {
		w := map[string][][2]int{}
		for p, f := range d.Files {
			w[p] = f.AllArcs()
			if w[p] == nil {
				w[p] = [][2]int{}
			}
		}
		for p, v := range got[i] {
			if v == nil {
				got[i][p] = [][2]int{}
			}
		}
		if diff := cmp.Diff(w, got[i]); diff != "" {
			return fmt.Errorf("coverage.py reads clone %s differently (-written +read):\n%s", paths[i], diff)
		}
	}
	return nil
}

var bgctx = context.Background()
