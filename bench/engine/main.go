// Command engine benchmarks what measuring costs: each workload runs bare,
// under covrun with the lean engine, under covrun with coverage.py as the
// engine, and under coverage.py's own multi-process setup, in the same run,
// modes alternating round by round, and prints medians and ratios to the
// bare run.
//
//	go run ./bench/engine [-bed sid] [-rounds 5] [-dont-write-bytecode] [WORKLOAD...]
//
// Workloads:
//
//	cli     a suite that checks a small CLI package by starting it as a child
//	        process 60 times (as many projects test their command line)
//	cpu     a CPU-bound program in one process
//	fanout  a suite starting 200 children, merged and reported
//
// Wall time includes hooks, merging and reporting for covrun, and combine
// and report for coverage.py. coverage.py's setup is `coverage run` with
// `[run] patch = subprocess` and `parallel = true` (7.10+), then `coverage
// combine` and `coverage report`.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/covkit/covkit/bench/internal/benchkit"
	"github.com/covkit/covkit/internal/testbed"
)

func main() {
	bedName := flag.String("bed", "sid", "test bed (coverage.py 7.10+ for patch = subprocess)")
	rounds := flag.Int("rounds", 5, "timed rounds of every mode")
	dwb := flag.Bool("dont-write-bytecode", false, "set PYTHONDONTWRITEBYTECODE=1 in every mode")
	flag.Parse()
	names := flag.Args()
	if len(names) == 0 {
		names = []string{"cli", "cpu", "fanout"}
	}
	benchkit.Exit(run(*bedName, *rounds, *dwb, names))
}

// mode is one way to run a workload's suite.
type mode struct {
	name string
	// args runs suite.py (with the workload's arguments) in this mode; nil
	// for the coverage.py mode, which is three commands.
	args []string
}

var modes = []mode{
	{"bare", []string{}},
	{"covrun lean", []string{"covrun", "--engine", "lean", "--"}},
	{"covrun coverage.py", []string{"covrun", "--engine", "coverage", "--"}},
	{"coverage.py", nil},
}

func run(bedName string, rounds int, dwb bool, names []string) error {
	bed, root, err := benchkit.Bed(bedName)
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp(root, "covkit-bench-engine-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	bin := filepath.Join(work, "bin")
	if err := benchkit.Build(bin, "covrun"); err != nil {
		return err
	}
	env := []string{"PATH=" + bed.BedPath(bin) + ":/usr/sbin:/usr/bin:/sbin:/bin"}
	how := "bytecode writing on (PYTHONDONTWRITEBYTECODE unset)"
	if dwb {
		env = append(env, "PYTHONDONTWRITEBYTECODE=1")
		how = "PYTHONDONTWRITEBYTECODE=1"
	}
	fmt.Printf("bed %s, %d rounds (medians), modes alternating, %s, load %s\n", bed.Name, rounds, how, loadavg())
	for _, name := range names {
		w, ok := workloads[name]
		if !ok {
			return fmt.Errorf("unknown workload %q", name)
		}
		dir := filepath.Join(work, name)
		if err := writeFiles(dir, w.files); err != nil {
			return err
		}
		r := &runner{bed: bed, env: env, dir: dir}
		if err := r.measure(name, w, rounds); err != nil {
			return err
		}
	}
	return nil
}

// runner runs one workload's modes in the bed.
type runner struct {
	bed *testbed.Bed
	env []string
	dir string
}

// cost is what one run of a mode took: wall time, and the CPU time (user
// and system) of every process it ran, which other work on the machine
// disturbs far less.
type cost struct{ wall, cpu time.Duration }

func (c cost) add(d cost) cost { return cost{c.wall + d.wall, c.cpu + d.cpu} }

func (r *runner) cmd(args ...string) (string, cost, error) {
	c := r.bed.Command(context.Background(), r.bed.BedPath(r.dir), r.env, args...)
	if r.bed.Root == "" {
		c.Env = append(c.Env, r.env...)
	}
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	t0 := time.Now()
	err := c.Run()
	k := cost{wall: time.Since(t0)}
	if c.ProcessState != nil {
		k.cpu = c.ProcessState.UserTime() + c.ProcessState.SystemTime()
	}
	if err != nil {
		return out.String(), k, fmt.Errorf("%v: %v\n%s", args, err, out.String())
	}
	return out.String(), k, nil
}

// once runs the suite in mode m and returns its output and cost.
func (r *runner) once(m mode) (string, cost, error) {
	for _, f := range []string{".coverage"} {
		os.Remove(filepath.Join(r.dir, f))
	}
	if m.args != nil {
		return r.cmd(append(slices.Clone(m.args), "python3", "suite.py")...)
	}
	_, d1, err := r.cmd("python3", "-m", "coverage", "run", "--rcfile=coveragepy.rc", "suite.py")
	if err != nil {
		return "", cost{}, err
	}
	_, d2, err := r.cmd("python3", "-m", "coverage", "combine", "-q", "--rcfile=coveragepy.rc")
	if err != nil {
		return "", cost{}, err
	}
	out, d3, err := r.cmd("python3", "-m", "coverage", "report", "--rcfile=coveragepy.rc")
	return out, d1.add(d2).add(d3), err
}

func (r *runner) measure(name string, w workload, rounds int) error {
	costs := map[string][]cost{}
	outs := map[string]string{}
	// A warm-up round, so that no mode pays for cold caches.
	for _, m := range modes {
		if _, _, err := r.once(m); err != nil {
			return err
		}
	}
	for i := range rounds {
		for j := range modes {
			m := modes[(i+j)%len(modes)]
			out, c, err := r.once(m)
			if err != nil {
				return err
			}
			costs[m.name] = append(costs[m.name], c)
			outs[m.name] = out
		}
	}
	wall := func(m string) []time.Duration { return pick(costs[m], func(c cost) time.Duration { return c.wall }) }
	cpu := func(m string) []time.Duration { return pick(costs[m], func(c cost) time.Duration { return c.cpu }) }
	bareWall, bareCPU := benchkit.Median(wall("bare")), benchkit.Median(cpu("bare"))
	fmt.Printf("\n=== %s: %s\n", name, w.what)
	fmt.Printf("%-20s %9s %8s %9s %8s   %s\n", "mode", "wall", "vs bare", "CPU", "vs bare", "wall / CPU per round")
	for _, m := range modes {
		mw, mc := benchkit.Median(wall(m.name)), benchkit.Median(cpu(m.name))
		fmt.Printf("%-20s %8.3fs %7.2fx %8.3fs %7.2fx   %s / %s\n", m.name, mw.Seconds(), mw.Seconds()/bareWall.Seconds(),
			mc.Seconds(), mc.Seconds()/bareCPU.Seconds(), fmtRounds(wall(m.name)), fmtRounds(cpu(m.name)))
	}
	if w.children > 0 {
		lean := benchkit.Median(cpu("covrun lean"))
		fmt.Printf("covrun lean: %+.2f ms CPU per child process over bare (%d children, merge and report included)\n",
			float64(lean-bareCPU)/float64(time.Millisecond)/float64(w.children), w.children)
	}
	for _, m := range modes[1:] {
		fmt.Printf("%-20s %s\n", m.name, total(outs[m.name]))
	}
	return nil
}

func pick(cs []cost, f func(cost) time.Duration) []time.Duration {
	out := make([]time.Duration, len(cs))
	for i, c := range cs {
		out[i] = f(c)
	}
	return out
}

func fmtRounds(ds []time.Duration) string {
	var s []string
	for _, d := range ds {
		s = append(s, fmt.Sprintf("%.2f", d.Seconds()))
	}
	return strings.Join(s, " ")
}

var totalRe = regexp.MustCompile(`(?m)^TOTAL.*$`)

func total(out string) string { return strings.TrimSpace(totalRe.FindString(out)) }

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func writeFiles(dir string, files map[string]string) error {
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
}
