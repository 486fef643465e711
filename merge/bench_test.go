package merge

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/covkit/covkit/leancov"
	"github.com/covkit/covkit/sqlitecov"
)

// benchInputs writes n branch data files of nfiles source files each, with
// overlapping random arcs, like parallel runs of one test suite.
func benchInputs(b *testing.B, n, nfiles int) []string {
	dir := b.TempDir()
	rng := rand.New(rand.NewPCG(1, 1))
	var in []string
	for i := range n {
		spec := map[string][][2]int{}
		for f := range nfiles {
			var arcs [][2]int
			for range 60 {
				x := rng.IntN(200)
				arcs = append(arcs, [2]int{x, x + 1 + rng.IntN(3)})
			}
			spec[fmt.Sprintf("/src/pkg/m%03d.py|", f)] = arcs
		}
		in = append(in, write(b, filepath.Join(dir, fmt.Sprintf(".coverage.%d", i)), arcData(spec)))
	}
	return in
}

func BenchmarkRun(b *testing.B) {
	for _, n := range []int{10, 100} {
		b.Run(fmt.Sprint(n, "files"), func(b *testing.B) {
			in := benchInputs(b, n, 100)
			for b.Loop() {
				if _, _, err := Run(Options{Inputs: in}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/input")
		})
	}
}

func BenchmarkCombineWrite(b *testing.B) {
	in := benchInputs(b, 20, 100)
	out := filepath.Join(b.TempDir(), "out")
	for b.Loop() {
		d, _, err := Run(Options{Inputs: in})
		if err != nil {
			b.Fatal(err)
		}
		if err := sqlitecov.WriteFile(out, d); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadLineData compares reading the same line data from the lean
// engine's files (as a process leaves them: allocated in 64 KB steps, the
// unused part zero) and from coverage.py's SQLite files: reading lean data
// must cost no more.
func BenchmarkReadLineData(b *testing.B) {
	const n, nfiles = 200, 20
	dir := b.TempDir()
	rng := rand.New(rand.NewPCG(2, 2))
	var lean, sqlite []string
	for i := range n {
		lf := &leancov.File{Header: map[string]string{"python": "3.14.0"}}
		d := sqlitecov.NewData()
		d.HasLines = true
		for f := range nfiles {
			var lines []int
			for range 40 {
				lines = append(lines, 1+rng.IntN(300))
			}
			slices.Sort(lines)
			lines = slices.Compact(lines)
			p := fmt.Sprintf("/src/pkg/m%03d.py", f)
			lf.Files = append(lf.Files, leancov.Measured{Path: p, Module: fmt.Sprintf("pkg.m%03d", f), Lines: map[string][]int{"": lines}})
			d.File(p).Lines = map[string][]int{"": lines}
		}
		enc := leancov.Encode(lf)
		enc = append(enc, make([]byte, 64<<10-len(enc)%(64<<10))...)
		p := filepath.Join(dir, fmt.Sprintf(".covkit.h.pid%d.Xax", i))
		if err := os.WriteFile(p, enc, 0o644); err != nil {
			b.Fatal(err)
		}
		lean = append(lean, p)
		q := filepath.Join(dir, fmt.Sprintf(".coverage.h.pid%d.Xax", i))
		if err := sqlitecov.WriteFile(q, d); err != nil {
			b.Fatal(err)
		}
		sqlite = append(sqlite, q)
	}
	for name, in := range map[string][]string{"lean": lean, "sqlite": sqlite} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, _, err := Run(Options{Inputs: in}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/input")
		})
	}
}
