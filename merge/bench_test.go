package merge

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

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
