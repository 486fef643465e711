//go:build unix

package pth_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/covkit/covkit/internal/testbed"
)

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o777)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestProjectConfig: children in another working directory, scrubbed ones
// included, honour the project's configuration, with relative paths in it
// resolved against the project; only data_file is covkit's.
func TestProjectConfig(t *testing.T) {
	for _, name := range testbed.Names {
		t.Run(name, func(t *testing.T) {
			r := setup(t, name)
			proj := filepath.Join(r.host, "proj")
			writeFiles(t, proj, map[string]string{
				".coveragerc": "[run]\nbranch = True\nomit = sub/*\ndata_file = not-here\n",
				"main.py": `import os, subprocess, sys
here = os.path.dirname(os.path.abspath(__file__))
for f in ("child.py", "sub/skipped.py"):
    subprocess.run([sys.executable, os.path.join(here, f)], cwd="/", check=True)
subprocess.run([sys.executable, os.path.join(here, "child.py")], cwd="/", env={}, check=True)
`,
				"child.py":       "import sys\nif len(sys.argv) > 3:\n    print('no')\n",
				"sub/skipped.py": "x = 1\n",
			})
			data := r.bed + "/data"
			r.b.MustRun(t, r.bed+"/proj", r.env, r.covhook, "run", "--python", bedPython, "--data-dir", data, "--", bedPython, "main.py")
			files := r.coverageJSON(t, data)
			var got []string
			for k := range files {
				if strings.HasPrefix(k, r.bed+"/") {
					got = append(got, strings.TrimPrefix(k, r.bed+"/proj/"))
				}
			}
			slices.Sort(got)
			if want := []string{"child.py", "main.py"}; !slices.Equal(got, want) {
				t.Errorf("measured %v, want %v (sub/ omitted by the project's relative omit)", got, want)
			}
			raw, _ := os.ReadFile(r.b.HostPath(data + "/cov.json"))
			var rep struct {
				Meta struct {
					Branch bool `json:"branch_coverage"`
				} `json:"meta"`
			}
			json.Unmarshal(raw, &rep)
			if !rep.Meta.Branch {
				t.Error("branch = True from the project's config not honoured")
			}
			if m, _ := filepath.Glob(filepath.Join(proj, "not-here*")); len(m) > 0 {
				t.Errorf("data written to the project's data_file: %v", m)
			}
		})
	}
}

// TestUnwritableSitePackages: a user who cannot write site-packages gets a
// warning, and the run falls back to the inherited environment: children
// that inherit it are measured, scrubbed ones run normally but are not.
func TestUnwritableSitePackages(t *testing.T) {
	for _, name := range testbed.Names {
		t.Run(name, func(t *testing.T) {
			r := setup(t, name)
			for _, d := range []string{filepath.Dir(r.host), r.host} {
				if r.b.Root == "" || d == r.host {
					os.Chmod(d, 0o777)
				}
			}
			writeFiles(t, r.host, map[string]string{
				"main.py": `import os, subprocess, sys
here = os.path.dirname(os.path.abspath(__file__))
subprocess.run([sys.executable, os.path.join(here, "inherits.py")], check=True)
cp = subprocess.run([sys.executable, os.path.join(here, "scrubbed.py")], env={}, capture_output=True, text=True)
assert (cp.returncode, cp.stdout, cp.stderr) == (0, "s\n", ""), cp
`,
				"inherits.py": "i = 1\n",
				"scrubbed.py": "print('s')\n",
			})
			data := r.bed + "/data"
			res := r.b.Run(t, r.bed, r.env, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
				r.covhook, "run", "--python", bedPython, "--data-dir", data, "--", bedPython, "main.py")
			if res.ExitCode != 0 || !strings.Contains(res.Stderr, "is not writable: no hook for "+bedPython) {
				t.Fatalf("exit %d, stderr:\n%s", res.ExitCode, res.Stderr)
			}
			files := r.coverageJSON(t, data)
			for f, want := range map[string]bool{"main.py": true, "inherits.py": true, "scrubbed.py": false} {
				if _, ok := files[r.bed+"/"+f]; ok != want {
					t.Errorf("%s measured: %v, want %v", f, ok, want)
				}
			}
		})
	}
}
