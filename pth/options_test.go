//go:build unix

package pth_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/covkit/covkit/internal/testbed"
	"github.com/covkit/covkit/internal/testfiles"
	"github.com/covkit/covkit/pth"
)

// TestCheckpoint: a child killed with SIGKILL keeps the lines it ran before
// the last checkpoint, and nothing without checkpoints (the control that
// shows the test can fail), except under the lean engine from CPython 3.12,
// which keeps every line with no checkpoint at all: its data is on disk as
// it is recorded.
func TestCheckpoint(t *testing.T) {
	for _, name := range testbed.Names {
		t.Run(name, func(t *testing.T) {
			r := setup(t, name)
			testfiles.CopyDir(t, "testdata/ckpt", filepath.Join(r.host, "k"))
			for _, engine := range []pth.Engine{pth.EngineCoverage, pth.EngineLean} {
				// The lean engine's data is on disk as it is recorded from
				// CPython 3.12; before, like coverage.py's, at checkpoints.
				continuous := engine == pth.EngineLean && pth.VersionAtLeast(r.b.PyVersion, pth.LeanMinPython)
				for _, ck := range []string{"200ms", "0"} {
					data := r.bed + "/data-" + string(engine) + ck
					res := r.b.Run(t, r.bed+"/k", r.env, r.covhook, "run", "--python", bedPython, "--engine", string(engine),
						"--checkpoint", ck, "--data-dir", data, "--", bedPython, "main.py")
					if res.ExitCode != 0 || res.Stdout != "killed\n" || res.Stderr != "" {
						t.Fatalf("%s, checkpoint %s: %+v", engine, ck, res)
					}
					files := r.coverageJSON(t, data)
					got, ok := files[r.bed+"/k/victim.py"]
					if !continuous && ck == "0" {
						if ok {
							t.Errorf("without checkpoints the killed child still has data: %v", got.Executed)
						}
						continue
					}
					want := []int{1, 4, 5, 8, 9}
					for _, l := range want {
						if !slices.Contains(got.Executed, l) {
							t.Errorf("%s, checkpoint %s: killed child lost line %d (executed %v)", engine, ck, l, got.Executed)
						}
					}
				}
			}
		})
	}
}

// TestProcessContexts: --contexts process labels each process's lines with
// its command line, scrubbed-environment children included.
func TestProcessContexts(t *testing.T) {
	for _, name := range testbed.Names {
		t.Run(name, func(t *testing.T) {
			r := setup(t, name)
			testfiles.CopyDir(t, "testdata/ctx", filepath.Join(r.host, "c"))
			data := r.bed + "/data"
			r.b.MustRun(t, r.bed+"/c", r.env, r.covhook, "run", "--python", bedPython, "--contexts", "process", "--data-dir", data,
				"--", bedPython, "main.py")
			r.combine(t, data)
			r.b.MustRun(t, data, nil, bedPython, "-m", "coverage", "json", "--show-contexts", "-o", "cov.json")
			raw, err := os.ReadFile(r.b.HostPath(data + "/cov.json"))
			if err != nil {
				t.Fatal(err)
			}
			var rep struct {
				Files map[string]struct {
					Contexts map[string][]string `json:"contexts"`
				} `json:"files"`
			}
			if err := json.Unmarshal(raw, &rep); err != nil {
				t.Fatal(err)
			}
			child := r.bed + "/c/child.py"
			one, two := bedPython+" "+child+" one", bedPython+" "+child+" two"
			want := map[string][]string{"1": {one, two}, "3": {one, two}, "4": {one}, "6": {two}}
			got := rep.Files[child].Contexts
			for line, ctxs := range want {
				g := slices.Clone(got[line])
				slices.Sort(g)
				if !slices.Equal(g, ctxs) {
					t.Errorf("child.py line %s: contexts %q, want %q", line, g, ctxs)
				}
			}
			if m := rep.Files[r.bed+"/c/main.py"].Contexts["1"]; !slices.Equal(m, []string{bedPython + " main.py"}) {
				t.Errorf("main.py line 1: contexts %q", m)
			}
		})
	}
}
