package dockerkit

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

// probeScript asks an interpreter where its site directories are and
// whether it can import coverage. It must run on any Python 3.
const probeScript = `
import json, os, site, sys
try:
    sites = site.getsitepackages()
except Exception:
    sites = []
cov = ""
try:
    import coverage
    cov = coverage.__version__
except Exception:
    pass
print(json.dumps({"executable": sys.executable, "prefix": sys.prefix,
    "version": "%d.%d.%d" % sys.version_info[:3], "sites": sites, "coverage": cov,
    "path": sys.path}))
`

// EnvProbeCheck lists (colon-separated) files the probe must find; an
// interpreter whose site directory lacks one reports it in Missing.
const EnvProbeCheck = "COVKIT_PROBE_CHECK"

var pythonName = regexp.MustCompile(`^(python|pypy)(3(\.\d+)?)?$`)

// ProbeInterpreters finds the Python 3 interpreters of the system it runs on
// (an image, when covdocker runs there): executables named python, python3,
// python3.N or pypy3 on pathEnv's directories, the usual bin directories,
// and virtual environments under /opt, /venv and /app. Interpreters are
// told apart by sys.prefix and version, so a venv counts on its own.
func ProbeInterpreters(ctx context.Context, pathEnv string) []Interpreter {
	dirs := filepath.SplitList(pathEnv)
	dirs = append(dirs, "/usr/local/bin", "/usr/bin", "/bin")
	for _, g := range []string{"/opt/*/bin", "/opt/*/*/bin", "/venv/bin", "/*/venv/bin", "/*/.venv/bin", "/app/*/bin"} {
		m, _ := filepath.Glob(g)
		dirs = append(dirs, m...)
	}
	var check []string
	if c := os.Getenv(EnvProbeCheck); c != "" {
		check = strings.Split(c, ":")
	}
	seenDir := map[string]bool{}
	seen := map[string]bool{}
	seenReal := map[string]bool{}
	var out []Interpreter
	for _, d := range dirs {
		if d == "" || seenDir[d] {
			continue
		}
		seenDir[d] = true
		ents, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		names := []string{}
		for _, e := range ents {
			if pythonName.MatchString(e.Name()) {
				names = append(names, e.Name())
			}
		}
		// python3 before python3.14 before python: the plainest name is
		// the one to show.
		sort.Slice(names, func(i, j int) bool {
			ri, rj := nameRank(names[i]), nameRank(names[j])
			if ri != rj {
				return ri < rj
			}
			return names[i] < names[j]
		})
		for _, n := range names {
			p := filepath.Join(d, n)
			fi, err := os.Stat(p)
			if err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
				continue
			}
			// A symlink to an interpreter already asked (python3 ->
			// python3.14) is the same interpreter, unless it is a venv's:
			// a venv's python is a symlink too, and tells itself apart by
			// the pyvenv.cfg above it.
			real, _ := filepath.EvalSymlinks(p)
			if _, err := os.Stat(filepath.Join(filepath.Dir(d), "pyvenv.cfg")); err != nil {
				if seenReal[real] {
					continue
				}
				seenReal[real] = true
			}
			py, ok := probeOne(ctx, p)
			if !ok {
				continue
			}
			key := py.Prefix + "\x00" + py.Version
			if seen[key] {
				continue
			}
			seen[key] = true
			for _, f := range check {
				if strings.HasPrefix(f, py.Site+"/") {
					if _, err := os.Stat(f); err != nil {
						py.Missing = f
					}
				}
			}
			out = append(out, py)
		}
	}
	return out
}

func nameRank(n string) int {
	switch {
	case n == "python3":
		return 0
	case strings.HasPrefix(n, "python3."):
		return 1
	case n == "python":
		return 2
	}
	return 3
}

func probeOne(ctx context.Context, exe string) (Interpreter, bool) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "-I", "-c", probeScript)
	out, err := cmd.Output()
	if err != nil {
		return Interpreter{}, false
	}
	var r struct {
		Executable, Prefix, Version, Coverage string
		Sites, Path                           []string
	}
	if json.Unmarshal(out, &r) != nil || !strings.HasPrefix(r.Version, "3.") {
		return Interpreter{}, false
	}
	py := Interpreter{Path: exe, Version: r.Version, Prefix: r.Prefix, Coverage: r.Coverage, Sites: r.Sites}
	py.Site = chooseSite(r.Sites, r.Path, r.Prefix)
	if py.Site == "" {
		return Interpreter{}, false
	}
	return py, true
}

// chooseSite picks the site directory the hook goes into: of those under
// the interpreter's own prefix, the last one already on sys.path (else the
// last one, which the layer creates). site processes .pth files in
// directory order, so in the last one every other site directory (where
// coverage.py may live) is on sys.path by then; a venv gets its own.
func chooseSite(sites, sysPath []string, prefix string) string {
	pre := strings.TrimSuffix(prefix, "/") + "/"
	last := ""
	for i := len(sites) - 1; i >= 0; i-- {
		if !strings.HasPrefix(sites[i], pre) {
			continue
		}
		if slices.Contains(sysPath, sites[i]) {
			return sites[i]
		}
		if last == "" {
			last = sites[i]
		}
	}
	if last == "" && len(sites) > 0 {
		last = sites[len(sites)-1]
	}
	return last
}
