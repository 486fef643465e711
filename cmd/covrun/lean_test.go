package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/covkit/covkit/internal/testbed"
	"github.com/covkit/covkit/sqlitecov"
)

// leanProject is a program that runs code from everywhere coverage.py's
// file selection looks: the project, a package in it, a directory outside
// it on sys.path, a module reached through a symlink, an omitted directory
// (and a directory whose name is omitted but which is a symlink to one that
// is not: coverage.py matches the canonical path),
// the venv's site-packages (third-party), a Debian-packaged library
// (pluggy, in /usr/lib/python3/dist-packages: third-party to coverage.py
// 7.13.1+, measured by older versions) and the standard library.
var leanProject = map[string]string{
	"proj/app.py": `import sys, os, json, colorsys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "extra"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import helper, pkg.mod, linked, tp, pluggy
import skipdir.k
from omitme import x
pluggy.PluginManager("lean")
print(json.dumps([helper.f(2), pkg.mod.g(3), linked.h(), tp.t(), x.y(), skipdir.k.k(), colorsys.rgb_to_hsv(0.1, 0.2, 0.3)]))
if len(sys.argv) > 5:
    print("never")
`,
	"proj/pkg/__init__.py":    "VALUE = 1\n",
	"proj/pkg/mod.py":         "def g(n):\n    if n > 2:\n        return n * 2\n    return n\n",
	"proj/omitme/__init__.py": "",
	"proj/omitme/x.py":        "def y():\n    return 'y'\n",
	"proj/real/target.py":     "def h():\n    return 'h'\n",
	"proj/keep/__init__.py":   "",
	"proj/keep/k.py":          "def k():\n    return 'k'\n",
	"extra/helper.py":         "def f(n):\n    return [i for i in range(n)]\n\ndef unused():\n    return 0\n",
	"tp.py":                   "def t():\n    return 't'\n",
}

// TestLeanMatchesCoverage: under every kind of file selection, the lean
// engine measures exactly the files and lines coverage.py measures: through
// sys.monitoring (trixie 3.13 with coverage.py 7.6's rules, sid 3.14 with
// 7.16's), and through coverage.py's compiled tracer (host 3.11, 6.5).
func TestLeanMatchesCoverage(t *testing.T) {
	configs := map[string]string{
		"none":        "",
		"source":      "[run]\nsource = .\n",
		"source_pkgs": "[run]\nsource_pkgs = pkg, tp\n",
		"source_out":  "[run]\nsource = ../extra, pkg\n",
		"include":     "[run]\ninclude = */extra/*, */pkg/*\n",
		"omit":        "[run]\nomit = */omitme/*, */skipdir/*\n",
		"cover_pylib": "[run]\nsource = ., colorsys\ncover_pylib = true\n",
	}
	for _, name := range testbed.Names {
		t.Run(name, func(t *testing.T) {
			bed := testbed.Get(t, name)
			binHost, binBed := bed.TempDir(t)
			staticCovrun(t, binHost)
			host, inBed := bed.TempDir(t)
			for p, src := range leanProject {
				writeFile(t, filepath.Join(host, p), src)
			}
			if err := os.Symlink("real/target.py", filepath.Join(host, "proj", "linked.py")); err != nil {
				t.Fatal(err)
			}
			// lib/skipdir is omitted by name, but coverage.py measures
			// keep/, where it leads.
			os.MkdirAll(filepath.Join(host, "proj", "lib"), 0o755)
			if err := os.Symlink("../keep", filepath.Join(host, "proj", "lib", "skipdir")); err != nil {
				t.Fatal(err)
			}
			venv := inBed + "/venv"
			bed.MustRun(t, inBed, nil, bed.Python, "-m", "venv", "--system-site-packages", "--without-pip", venv)
			site, _ := filepath.Glob(bed.HostPath(venv + "/lib/python3*/site-packages"))
			if len(site) != 1 {
				t.Fatalf("venv site-packages: %v", site)
			}
			if err := os.Rename(filepath.Join(host, "tp.py"), filepath.Join(site[0], "tp.py")); err != nil {
				t.Fatal(err)
			}
			py := venv + "/bin/python"
			for cname, rc := range configs {
				t.Run(cname, func(t *testing.T) {
					os.Remove(filepath.Join(host, "proj", ".coverage"))
					writeFile(t, filepath.Join(host, "proj", ".coveragerc"), rc)
					bed.MustRun(t, inBed+"/proj", nil, py, "-m", "coverage", "run", "app.py")
					want := dataLines(t, filepath.Join(host, "proj", ".coverage"))
					os.Remove(filepath.Join(host, "proj", ".coverage"))
					path := []string{"PATH=" + binBed + ":/usr/bin:/bin"}
					res := bed.MustRun(t, inBed+"/proj", path, binBed+"/covrun", "--engine", "lean", "--python", py, "--", py, "app.py")
					if strings.Contains(res.Stderr, "warning") {
						t.Errorf("covrun stderr: %s", res.Stderr)
					}
					got := dataLines(t, filepath.Join(host, "proj", ".coverage"))
					if len(want) == 0 {
						t.Fatal("coverage.py measured nothing: the test cannot tell")
					}
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("files and lines differ from coverage.py's (-coverage.py +lean):\n%s", diff)
					}
				})
			}
		})
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// dataLines reads a coverage.py data file as file -> measured lines.
func dataLines(t *testing.T, path string) map[string][]int {
	t.Helper()
	d, err := sqlitecov.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]int{}
	for _, f := range d.Paths() {
		if !strings.HasSuffix(f, "sitecustomize.py") {
			out[f] = d.Files[f].AllLines()
		}
	}
	return out
}
