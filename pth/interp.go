package pth

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/covkit/covkit/internal/envlist"
)

// Info describes one Python interpreter, as InterpreterInfo probed it.
type Info struct {
	Python          string   // the path asked about
	Executable      string   // sys.executable
	Version         string   // "3.14.0"
	MajorMinor      string   // "3.14"
	Prefix          string   // sys.prefix
	Venv            bool     // sys.prefix != sys.base_prefix
	SitePackages    []string // site-packages directories the interpreter processes .pth files in, in order
	HookDir         string   // where covkit installs its hook for this interpreter
	Writable        bool     // HookDir can be written by this process
	HasCoverage     bool
	CoverageVersion string
	CoverageDir     string // directory of the coverage package
	// InterpKey names the interpreter in a run's interp directory, and
	// Pylib and Third are its standard library and third-party directories
	// (every sysconfig scheme's), which coverage.py does not measure by
	// default: the lean engine's processes read them instead of computing
	// them (see the bootstrap's interp_facts).
	InterpKey    string
	Pylib, Third []string
	// PylibMods and ThirdPosix are the same as coverage.py before 7.13.1
	// saw them (see filesel.Rules).
	PylibMods, ThirdPosix []string
	// Pycs are the bootstrap's modules compiled for this interpreter, by
	// name relative to the directory that holds the modules
	// ("__pycache__/_covkit_bootstrap.cpython-314.pyc"): hash-checked, so
	// they stay valid wherever the modules are copied. Empty unless the
	// probe was asked to compile.
	Pycs map[string][]byte
}

// probePy runs with the bootstrap's source on stdin, for its interp_key
// and interp_facts: the same code the lean engine falls back on. Given a
// directory holding the bootstrap's modules, it compiles them there (hash-
// checked .pyc files, which the interpreter uses even where it may not
// write bytecode itself: every measured process imports them).
const probePy = `import sys, os, json
boot = {"__name__": "_covkit_probe", "__file__": "<covkit-probe>"}
exec(compile(sys.stdin.read(), "<covkit-probe>", "exec"), boot)
d = {"executable": sys.executable, "version": "%d.%d.%d" % sys.version_info[:3],
     "prefix": sys.prefix, "base_prefix": getattr(sys, "base_prefix", sys.prefix), "path": sys.path,
     "key": boot["interp_key"](), "facts": boot["interp_facts"](), "pycs": []}
if len(sys.argv) > 1:
    try:
        import py_compile, importlib.util
        for name in sys.argv[2:]:
            src = os.path.join(sys.argv[1], name)
            pyc = importlib.util.cache_from_source(src)
            py_compile.compile(src, cfile=pyc, doraise=True,
                               invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)
            d["pycs"].append(os.path.relpath(pyc, sys.argv[1]))
    except Exception:
        pass
try:
    import site
    d["site"] = site.getsitepackages()
except Exception:
    d["site"] = []
try:
    # Found, not imported: importing coverage.py costs a tenth of a second,
    # and its version is in its version.py (read by covkit).
    import importlib.util
    spec = importlib.util.find_spec("coverage")
    if spec is not None and spec.origin:
        d["coverage_dir"] = os.path.dirname(os.path.abspath(spec.origin))
except Exception:
    pass
sys.stdout.write(json.dumps(d))
`

// InterpreterInfo runs python once to learn where its site-packages are and
// whether it can import coverage.py. env is the environment to probe with
// (nil: this process's); covkit is switched off for the probe itself.
func InterpreterInfo(python string, env []string) (*Info, error) {
	return probe(python, env, "")
}

// probe is InterpreterInfo that also compiles the bootstrap's modules in
// modDir (unless "") for the interpreter, into Info.Pycs, using a cached
// probe while nothing it depends on has changed (see probeEntry).
func probe(python string, env []string, modDir string) (*Info, error) {
	if env == nil {
		env = os.Environ()
	}
	key := probeKey(python, env, modDir != "")
	if info := loadProbe(key); info != nil {
		if modDir != "" {
			writePycs(modDir, info.Pycs)
		}
		info.Writable = writable(info.HookDir)
		return info, nil
	}
	info, err := runProbe(python, env, modDir)
	if err == nil {
		saveProbe(key, info)
	}
	return info, err
}

// runProbe runs python to learn what probe returns.
func runProbe(python string, env []string, modDir string) (*Info, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	args := []string{"-c", probePy}
	if modDir != "" {
		args = append(append(args, modDir), moduleNames...)
	}
	cmd := exec.CommandContext(ctx, python, args...)
	cmd.Env = envlist.Set(env, EnvRun, "-")
	cmd.Stdin = bytes.NewReader(bootstrapPy)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("probing %s: %w: %s", python, err, bytes.TrimSpace(errb.Bytes()))
	}
	var d struct {
		Executable  string   `json:"executable"`
		Version     string   `json:"version"`
		Prefix      string   `json:"prefix"`
		BasePrefix  string   `json:"base_prefix"`
		Path        []string `json:"path"`
		Site        []string `json:"site"`
		CoverageDir string   `json:"coverage_dir"`
		Key         string   `json:"key"`
		Pycs        []string `json:"pycs"`
		Facts       struct {
			Pylib      []string `json:"pylib"`
			Third      []string `json:"third"`
			PylibMods  []string `json:"pylib_mods"`
			ThirdPosix []string `json:"third_posix"`
		} `json:"facts"`
	}
	if err := json.Unmarshal(out.Bytes(), &d); err != nil {
		return nil, fmt.Errorf("probing %s: %w", python, err)
	}
	info := &Info{
		Python:          python,
		Executable:      d.Executable,
		Version:         d.Version,
		Prefix:          d.Prefix,
		Venv:            d.Prefix != d.BasePrefix,
		CoverageVersion: coverageVersion(d.CoverageDir),
		CoverageDir:     d.CoverageDir,
		InterpKey:       d.Key,
		Pylib:           d.Facts.Pylib,
		Third:           d.Facts.Third,
		PylibMods:       d.Facts.PylibMods,
		ThirdPosix:      d.Facts.ThirdPosix,
	}
	info.HasCoverage = info.CoverageVersion != ""
	if parts := strings.SplitN(d.Version, ".", 3); len(parts) >= 2 {
		info.MajorMinor = parts[0] + "." + parts[1]
	}
	// Only directories that exist and are on sys.path get their .pth files
	// processed.
	for _, s := range d.Site {
		if slices.Contains(d.Path, s) && isDir(s) {
			info.SitePackages = append(info.SitePackages, s)
		}
	}
	if len(info.SitePackages) == 0 {
		return info, fmt.Errorf("%s: no site-packages directory on sys.path", python)
	}
	// Install beside coverage.py when it lives in a site directory: .pth
	// files run in sys.path order, so coverage.py is importable by then.
	info.HookDir = info.SitePackages[0]
	if d.CoverageDir != "" {
		if p := filepath.Dir(d.CoverageDir); slices.Contains(info.SitePackages, p) {
			info.HookDir = p
		}
	}
	info.Writable = writable(info.HookDir)
	for _, rel := range d.Pycs {
		if b, err := os.ReadFile(filepath.Join(modDir, rel)); err == nil && !strings.Contains(rel, "..") {
			if info.Pycs == nil {
				info.Pycs = map[string][]byte{}
			}
			info.Pycs[rel] = b
		}
	}
	return info, nil
}

// versionInfo is coverage.py's version.py line naming its version.
var versionInfo = regexp.MustCompile(`(?m)^version_info\s*=\s*\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)`)

// coverageVersion reads the version ("7.16.1") of the coverage.py package
// in dir, "" if there is none there.
func coverageVersion(dir string) string {
	if dir == "" {
		return ""
	}
	b, err := os.ReadFile(filepath.Join(dir, "version.py"))
	if err != nil {
		return ""
	}
	m := versionInfo.FindSubmatch(b)
	if m == nil {
		return ""
	}
	return fmt.Sprintf("%s.%s.%s", m[1], m[2], m[3])
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

func writable(dir string) bool {
	return canWrite(dir)
}

// DefaultPythons returns the interpreters covkit targets by default: python3
// and python on PATH and the active virtualenv's python (from env).
func DefaultPythons(env []string) []string {
	path := envlist.Get(env, "PATH")
	var out []string
	add := func(p string) {
		if p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	if v := envlist.Get(env, "VIRTUAL_ENV"); v != "" {
		if p := filepath.Join(v, "bin", "python"); isExec(p) {
			add(p)
		}
	}
	for _, name := range []string{"python3", "python"} {
		for _, d := range filepath.SplitList(path) {
			if d == "" {
				continue
			}
			if p := filepath.Join(d, name); isExec(p) {
				add(p)
				break
			}
		}
	}
	return out
}

func isExec(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}
