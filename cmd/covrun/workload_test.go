package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/covkit/covkit/internal/conformance"
	"github.com/covkit/covkit/internal/testbed"
)

// TestWorkloadReportMatchesItsData is issue 17's acceptance test for covrun:
// in every bed, covrun's JSON report of a workload over real libraries
// (no version flags) equals `coverage json` of the data file covrun wrote,
// file for file, for line and branch runs.
func TestWorkloadReportMatchesItsData(t *testing.T) {
	testbed.Each(t, func(t *testing.T, b *testbed.Bed) {
		binHost, binBed := b.TempDir(t)
		staticCovrun(t, binHost)
		for _, branch := range []bool{false, true} {
			label := "lines"
			if branch {
				label = "branch"
			}
			t.Run(label, func(t *testing.T) {
				host, inBed := b.TempDir(t)
				conformance.WriteWorkload(t, host, conformance.Workloads["defaults"])
				args := []string{filepath.Join(binBed, "covrun"), "--no-docker", "--json", "go.json"}
				if branch {
					args = append(args, "--branch")
				}
				res := b.MustRun(t, inBed, nil, append(args, "--", b.Python, "workload.py")...)
				for _, l := range strings.Split(strings.TrimSpace(res.Stderr), "\n") {
					if strings.HasPrefix(l, "warning: the data does not say") {
						t.Errorf("covrun knows its interpreters, yet guessed: %s", l)
					}
				}
				b.MustRun(t, inBed, nil, b.Python, "-m", "coverage", "json", "-q", "-o", "py.json")
				conformance.CheckSameJSON(t, filepath.Join(host, "py.json"), filepath.Join(host, "go.json"))
			})
		}
	})
}
