package pth

import (
	_ "embed"
	"fmt"
	"path/filepath"
	"strconv"
)

// Names of the files covkit writes into a site-packages directory.
const (
	HookFile      = "covkit.pth"           // the .pth hook
	BootstrapFile = "_covkit_bootstrap.py" // the Python bootstrap, imported by the hook
	RegistryDir   = "covkit-runs"          // registry of active runs (exists only while one is registered)
	// EnvRun names the run directory in a child's environment; "-" turns
	// covkit off for that process and its descendants (registry included).
	EnvRun = "COVKIT_RUN"
)

// HookVersion changes whenever the hook line or the bootstrap changes
// incompatibly; Status reports hooks of other versions as outdated.
const HookVersion = 1

//go:embed bootstrap/_covkit_bootstrap.py
var bootstrapPy []byte

//go:embed bootstrap/sitecustomize.py
var sitecustomizePy []byte

// Bootstrap returns the Python bootstrap module (BootstrapFile).
func Bootstrap() []byte { return append([]byte(nil), bootstrapPy...) }

// SiteCustomize returns the sitecustomize.py written into a run's boot
// directory for the inherited-environment mechanism.
func SiteCustomize() []byte { return append([]byte(nil), sitecustomizePy...) }

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
// os.environ lookup and one os.path.isdir call.
func HookLine(dir string, mode Mode) []byte {
	reg := pyString(filepath.Join(dir, RegistryDir))
	return fmt.Appendf(nil, "# covkit hook v%d mode=%s: inert unless a covkit run is active; remove with `covhook remove`.\n"+
		"import os;exec(\"try:\\n import _covkit_bootstrap as b;b.start(%s,True)\\nexcept BaseException:pass\") if os.environ.get('%s',os.path.isdir(%s)) not in ('','-',False) else None\n",
		HookVersion, mode, escapeForExec(reg), EnvRun, reg)
}

// Files returns the files to write into site-packages directory dir (as the
// interpreter will see it) to install a hook, keyed by file name. The Docker
// engineer can write them into an image layer directly.
func Files(dir string, mode Mode) map[string][]byte {
	return map[string][]byte{
		HookFile:      HookLine(dir, mode),
		BootstrapFile: Bootstrap(),
	}
}

// pyString quotes s as a Python string literal.
func pyString(s string) string {
	q := strconv.Quote(s) // Go escapes are a subset Python reads the same way
	return "'" + q[1:len(q)-1] + "'"
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
