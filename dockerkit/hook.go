package dockerkit

import (
	"maps"

	"github.com/covkit/covkit/pth"
)

// Hook is how covkit's Python hook gets into an image. covdocker build puts
// SiteFiles into each interpreter's site directory (as the image sees it).
type Hook interface {
	// SiteFiles returns the files to place in py's site directory, by name.
	// The hook must stay inert while no covkit run is active.
	SiteFiles(py Interpreter) (map[string][]byte, error)
}

// HookFunc adapts a function to Hook.
type HookFunc func(py Interpreter) (map[string][]byte, error)

func (f HookFunc) SiteFiles(py Interpreter) (map[string][]byte, error) { return f(py) }

// PthHook is covkit's own hook (package pth), installed persistent: its
// .pth line costs an environment lookup and a stat, and starts the
// bootstrap only when COVKIT_RUN names a run directory, which the proxy
// sets in the containers of a covkit run. Beside it, the remote client
// (pth.RemoteFiles), one environment lookup unless COVKIT_COLLECT is set.
var PthHook Hook = HookFunc(func(py Interpreter) (map[string][]byte, error) {
	files := pth.Files(py.Site, pth.ModePersistent)
	maps.Copy(files, pth.RemoteFiles())
	return files, nil
})
