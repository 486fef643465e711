package dockerkit

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

var osStat = os.Stat

// Image labels covdocker build writes on the images it makes.
const (
	LabelVersion = "covkit.version" // covkit version that added the layer; marks a covdocker image
	LabelContext = "covkit.context" // absolute build context on the build host
	LabelPaths   = "covkit.paths"   // JSON []PathMapping, host paths relative to the context
	LabelPythons = "covkit.pythons" // JSON []Interpreter the hook was installed for
)

// Interpreter is one Python of an image, as the in-image probe found it.
type Interpreter struct {
	Path     string   `json:"path"`               // executable as found on the image's PATH
	Version  string   `json:"version"`            // "3.14.10"
	Prefix   string   `json:"prefix"`             // sys.prefix (venvs differ from their base)
	Site     string   `json:"site"`               // site directory the hook goes into
	Sites    []string `json:"sites,omitempty"`    // every site directory, in sys.path order
	Coverage string   `json:"coverage,omitempty"` // coverage.__version__, "" when not importable
	Missing  string   `json:"missing,omitempty"`  // probe only: a file asked for (EnvProbeCheck) that is not there
}

// ImageInfo is what covkit knows of an image a container ran.
type ImageInfo struct {
	ID      string        `json:"id"`
	Ref     string        `json:"ref,omitempty"` // the name the container was created with
	Context string        `json:"context,omitempty"`
	Paths   []PathMapping `json:"paths,omitempty"`
	Pythons []Interpreter `json:"pythons,omitempty"`
	Covkit  string        `json:"covkit,omitempty"` // LabelVersion; "" for images covdocker did not build

	// The image's configuration (proxy only).
	env             map[string]string
	entrypoint, cmd []string
}

// ImageInfoFromLabels decodes covkit's labels.
func ImageInfoFromLabels(id, ref string, labels map[string]string) (ImageInfo, error) {
	info := ImageInfo{ID: id, Ref: ref, Covkit: labels[LabelVersion], Context: labels[LabelContext]}
	if s := labels[LabelPaths]; s != "" {
		if err := json.Unmarshal([]byte(s), &info.Paths); err != nil {
			return info, fmt.Errorf("image %s: label %s: %w", ref, LabelPaths, err)
		}
	}
	if s := labels[LabelPythons]; s != "" {
		if err := json.Unmarshal([]byte(s), &info.Pythons); err != nil {
			return info, fmt.Errorf("image %s: label %s: %w", ref, LabelPythons, err)
		}
	}
	return info, nil
}

// Labels encodes info as covkit's image labels.
func (info ImageInfo) Labels() map[string]string {
	l := map[string]string{LabelVersion: info.Covkit}
	if info.Context != "" {
		l[LabelContext] = info.Context
	}
	p, _ := json.Marshal(info.Paths)
	l[LabelPaths] = string(p)
	py, _ := json.Marshal(info.Pythons)
	l[LabelPythons] = string(py)
	return l
}

// sortedKeys returns m's keys sorted.
func sortedKeys[V any](m map[string]V) []string {
	k := make([]string, 0, len(m))
	for s := range m {
		k = append(k, s)
	}
	sort.Strings(k)
	return k
}

// shortID is the 12 hex digits Docker shows for an image or container ID.
func shortID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		id = id[:12]
	}
	return id
}

func jsonMarshal(v any) ([]byte, error) { return json.MarshalIndent(v, "", "  ") }
