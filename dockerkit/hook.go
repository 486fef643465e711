package dockerkit

import (
	_ "embed"
	"strconv"
)

// Hook is how covkit's Python hook gets into an image and is turned on in a
// container. covdocker build puts SiteFiles into each interpreter's site
// directory; the proxy passes every COVKIT_* variable of the activation
// environment into containers, with the host data directory rewritten to
// the container's mount.
type Hook interface {
	// SiteFiles returns the files to place in py's site directory, by name.
	// The hook must stay inert while no covkit run is active.
	SiteFiles(py Interpreter) (map[string][]byte, error)
}

// HookFunc adapts a function to Hook.
type HookFunc func(py Interpreter) (map[string][]byte, error)

func (f HookFunc) SiteFiles(py Interpreter) (map[string][]byte, error) { return f(py) }

//go:embed hookpy/covkit_dockerhook.py
var fallbackModule []byte

// FallbackHook is dockerkit's own minimal hook: a .pth line that imports
// covkit_dockerhook only when COVKIT_DOCKERHOOK_DIR is set, which then
// starts coverage.py with a unique data file suffix, saves at exit, on
// os._exit and on SIGTERM, and hands root-written files to
// COVKIT_DOCKERHOOK_OWNER (uid:gid).
var FallbackHook Hook = HookFunc(func(Interpreter) (map[string][]byte, error) {
	return map[string][]byte{
		"covkit_dockerhook.pth": []byte("import os; 'COVKIT_DOCKERHOOK_DIR' in os.environ and __import__('covkit_dockerhook')\n"),
		"covkit_dockerhook.py":  fallbackModule,
	}, nil
})

// FallbackActivation is the activation environment of FallbackHook for data
// written to dataDir by files owned by uid:gid.
func FallbackActivation(dataDir string, uid, gid int) []string {
	return []string{
		"COVKIT_DOCKERHOOK_DIR=" + dataDir,
		"COVKIT_DOCKERHOOK_OWNER=" + strconv.Itoa(uid) + ":" + strconv.Itoa(gid),
	}
}
