package pth

import (
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Names of the files covkit writes into a site-packages directory.
const (
	HookFile      = "covkit.pth"           // the .pth hook
	BootstrapFile = "_covkit_bootstrap.py" // the Python bootstrap, imported by the hook
	// CoverageEngineFile is the bootstrap's coverage.py engine, imported
	// only by processes the lean engine does not measure.
	CoverageEngineFile = "_covkit_coverage.py"
	// CTraceEngineFile is the lean engine before CPython 3.12 (coverage.py's
	// compiled tracer, covkit's data), imported only there.
	CTraceEngineFile = "_covkit_ctrace.py"
	RegistryDir      = "covkit-runs" // registry of active runs (exists only while one is registered)
	// EnvRun names the run directory in a child's environment; "-" turns
	// covkit off for that process and its descendants (registry included).
	EnvRun = "COVKIT_RUN"
	// EnvContext is, under covrun --contexts test, the test during which a
	// process was started (its static context); covkit's pytest plugin
	// sets it for the processes a test starts, and the docker shim passes
	// it into the containers they create.
	EnvContext = "COVKIT_CONTEXT"
)

// HookVersion changes whenever the hook line or the bootstrap changes
// incompatibly; Status reports hooks of other versions as outdated.
const HookVersion = 2

//go:embed bootstrap/_covkit_bootstrap.py
var bootstrapPy []byte

//go:embed bootstrap/_covkit_coverage.py
var coverageEnginePy []byte

//go:embed bootstrap/_covkit_ctrace.py
var ctraceEnginePy []byte

//go:embed bootstrap/_covkit_remote.py
var remotePy []byte

//go:embed bootstrap/sitecustomize.py
var sitecustomizePy []byte

// PytestPlugin is the module name of covkit's pytest plugin (in a run's
// plugins directory, loaded through PYTEST_PLUGINS in every run).
const PytestPlugin = "_covkit_pytest"

//go:embed bootstrap/_covkit_pytest.py
var pytestPluginPy []byte

// Bootstrap returns the Python bootstrap module (BootstrapFile).
func Bootstrap() []byte { return append([]byte(nil), bootstrapPy...) }

// Modules returns the bootstrap's Python modules, by file name: what goes
// beside the hook and into a run's boot directory.
func Modules() map[string][]byte {
	return map[string][]byte{
		BootstrapFile:      Bootstrap(),
		CoverageEngineFile: append([]byte(nil), coverageEnginePy...),
		CTraceEngineFile:   append([]byte(nil), ctraceEnginePy...),
	}
}

// moduleNames lists Modules' names, the bootstrap last (written last,
// removed first after the hook: a hook finds its bootstrap complete).
var moduleNames = []string{CoverageEngineFile, CTraceEngineFile, BootstrapFile}

// BootFiles returns what a run's boot directory holds, by file name: the
// modules and the sitecustomize.py that starts them.
func BootFiles() map[string][]byte {
	m := Modules()
	m["sitecustomize.py"] = SiteCustomize()
	return m
}

// SiteCustomize returns the sitecustomize.py written into a run's boot
// directory for the inherited-environment mechanism.
func SiteCustomize() []byte { return append([]byte(nil), sitecustomizePy...) }

// The remote client: covdocker build puts it into images beside the hook, so
// that a process on another host (a pod, a remote Docker host) that sees
// COVKIT_COLLECT measures itself and pushes its data to the run's collector
// (package collect).
const (
	// RemoteHookFile is its one-line hook: one environment lookup unless
	// COVKIT_COLLECT is set. It sorts before HookFile, so site runs it
	// first and covkit.pth finds the run it made.
	RemoteHookFile   = "covkit-remote.pth"
	RemoteModuleFile = "_covkit_remote.py"
	// RemoteImageFile describes the image (covdocker's labels: build
	// context and path mappings, interpreters) for the client to send with
	// its data.
	RemoteImageFile = "_covkit_image.json"
)

// RemoteFiles returns the remote client's files for a site directory, by
// name (RemoteImageFile is covdocker's to write).
func RemoteFiles() map[string][]byte {
	return map[string][]byte{
		RemoteHookFile: []byte("# covkit remote client: inert unless COVKIT_COLLECT is set.\n" +
			"import os;'COVKIT_COLLECT' in os.environ and exec(\"try:\\n import _covkit_remote as r;r.start()\\nexcept BaseException:pass\")\n"),
		RemoteModuleFile: append([]byte(nil), remotePy...),
	}
}

// remoteNames are the remote client's files, its hook first: RemoveDir
// takes them out with the hook.
var remoteNames = []string{RemoteHookFile, RemoteModuleFile, RemoteImageFile}

// InstallRemote puts the remote client beside the hook in site-packages
// directory dir (covhook install --remote): for hosts that are not
// containers built by covdocker, such as a VM a suite deploys to.
func InstallRemote(dir string) error {
	files := RemoteFiles()
	// The module first: a hook without it would waste an import attempt.
	for _, name := range []string{RemoteModuleFile, RemoteHookFile} {
		if err := writeFileAtomic(filepath.Join(dir, name), files[name]); err != nil {
			return err
		}
	}
	return nil
}

// Mode says who owns an installed hook.
type Mode string

const (
	// ModeRun hooks were installed by a run and are removed when the last
	// run registered in the directory ends.
	ModeRun Mode = "run"
	// ModePersistent hooks were installed by `covhook install` (or into an
	// image) and stay until `covhook remove`.
	ModePersistent Mode = "persistent"
)

// HookLine returns the content of the .pth hook for site-packages directory
// dir, as the interpreter sees that path. When no run is active it costs one
// os.environ lookup and one os.path.isdir call (a few microseconds), plus
// what CPython spends compiling any .pth import line. With COVKIT_RUN set
// (even to "-") it imports the bootstrap, which decides.
func HookLine(dir string, mode Mode) []byte {
	reg := pyString(filepath.Join(dir, RegistryDir))
	return fmt.Appendf(nil, "# covkit hook v%d mode=%s: inert unless a covkit run is active; remove with `covhook remove`.\n"+
		"import os;('%s'in os.environ or os.path.isdir(%s))and exec(\"try:\\n import _covkit_bootstrap as b;b.start(%s,True)\\nexcept BaseException:pass\")\n",
		HookVersion, mode, EnvRun, reg, escapeForExec(reg))
}

// Files returns the files to write into site-packages directory dir (as the
// interpreter will see it) to install a hook, keyed by file name. Write
// BootstrapFile before HookFile (and remove them in the other order): a hook
// without its bootstrap is inert but wastes an import attempt.
func Files(dir string, mode Mode) map[string][]byte {
	m := Modules()
	m[HookFile] = HookLine(dir, mode)
	return m
}

// installedNames lists every file a hook installation has, the hook first:
// the order to remove them in.
var installedNames = []string{HookFile, BootstrapFile, CoverageEngineFile, CTraceEngineFile}

// writePycs puts compiled modules beside the installed ones, best effort:
// without them every process compiles the bootstrap where it cannot write
// bytecode (PYTHONDONTWRITEBYTECODE), which costs milliseconds.
func writePycs(dir string, pycs map[string][]byte) {
	for rel, b := range pycs {
		p := filepath.Join(dir, rel)
		if os.MkdirAll(filepath.Dir(p), 0o755) == nil {
			writeFileAtomic(p, b)
		}
	}
}

// removePycs removes the compiled modules from dir's __pycache__ and returns
// what it removed.
func removePycs(dir string) []string {
	var out []string
	for _, name := range moduleNames {
		stem := strings.TrimSuffix(name, ".py")
		m, _ := filepath.Glob(filepath.Join(dir, "__pycache__", stem+".*.pyc"))
		for _, p := range m {
			if os.Remove(p) == nil {
				out = append(out, p)
			}
		}
	}
	if len(out) > 0 {
		// writePycs may have made the directory: left empty, it goes too
		// (Remove fails harmlessly on a directory that holds anything).
		os.Remove(filepath.Join(dir, "__pycache__"))
	}
	return out
}

// writeHookFiles writes the modules, then the hook.
func writeHookFiles(dir string, mode Mode) error {
	mods := Modules()
	for _, name := range moduleNames {
		if err := writeFileAtomic(filepath.Join(dir, name), mods[name]); err != nil {
			return err
		}
	}
	return writeFileAtomic(filepath.Join(dir, HookFile), HookLine(dir, mode))
}

// pyString quotes s as a single-quoted Python string literal.
func pyString(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		switch {
		case r == '\\' || r == '\'':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// escapeForExec escapes a Python literal for use inside the double-quoted
// string passed to exec.
func escapeForExec(lit string) string {
	out := make([]byte, 0, len(lit))
	for i := 0; i < len(lit); i++ {
		c := lit[i]
		if c == '\\' || c == '"' {
			out = append(out, '\\')
		}
		out = append(out, c)
	}
	return string(out)
}
