package main

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/covkit/covkit/internal/conformance"
	"github.com/covkit/covkit/internal/testbed"
)

// TestWorkloadMatchesCoveragePy is issue 17's acceptance test: in every
// bed, a workload over real libraries run with plain `coverage run` (and
// --branch), reported by covreport with no version flags, gives coverage.py's
// own `coverage json` figures on every file, with the bed's default
// exclusions and with a project's exclude_lines/exclude_also.
func TestWorkloadMatchesCoveragePy(t *testing.T) {
	testbed.Each(t, func(t *testing.T, b *testbed.Bed) {
		bin := covreportBinary(t)
		variants := make([]string, 0, len(conformance.Workloads))
		for v := range conformance.Workloads {
			variants = append(variants, v)
		}
		sort.Strings(variants)
		for _, branch := range []bool{false, true} {
			for _, variant := range variants {
				label := variant
				if branch {
					label += ", branch"
				}
				t.Run(label, func(t *testing.T) {
					host, inBed := b.TempDir(t)
					conformance.WriteWorkload(t, host, conformance.Workloads[variant])
					data, err := os.ReadFile(bin)
					if err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(filepath.Join(host, "covreport"), data, 0o755); err != nil {
						t.Fatal(err)
					}
					run := []string{b.Python, "-m", "coverage", "run"}
					if branch {
						run = append(run, "--branch")
					}
					b.MustRun(t, inBed, nil, append(run, "workload.py")...)
					b.MustRun(t, inBed, nil, b.Python, "-m", "coverage", "json", "-q", "-o", "py.json")
					res := b.MustRun(t, inBed, nil, "./covreport", "--json", "go.json")
					for _, l := range strings.Split(strings.TrimSpace(res.Stderr), "\n") {
						if strings.HasPrefix(l, "warning:") && !strings.Contains(l, "set --python-version") {
							t.Errorf("a warning that does not say how to choose: %s", l)
						}
					}
					conformance.CheckSameJSON(t, filepath.Join(host, "py.json"), filepath.Join(host, "go.json"))
				})
			}
		}
	})
}
