// Package envlist owns reading and editing environments held as
// "KEY=value" lists (exec.Cmd.Env, os.Environ()), where the last entry for
// a key wins, as it does for the processes that receive them.
package envlist

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Get returns the value of k in env, "" if unset.
func Get(env []string, k string) string {
	v, _ := Lookup(env, k)
	return v
}

// Lookup returns the value of k in env and whether it is set.
func Lookup(env []string, k string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], k+"="); ok {
			return v, true
		}
	}
	return "", false
}

// Set returns a copy of env with k set to v and no other entry for k.
func Set(env []string, k, v string) []string {
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if !strings.HasPrefix(kv, k+"=") {
			out = append(out, kv)
		}
	}
	return append(out, k+"="+v)
}

// Getter returns a func that looks keys up in env, for APIs that take
// os.Getenv's shape.
func Getter(env []string) func(string) string {
	m := make(map[string]string, len(env))
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return func(k string) string { return m[k] }
}

// LookPath finds the executable name on the PATH of env, skipping the
// directory skip (when set): for commands found only on a PATH a run sets
// itself, and for a shim looking for the real program behind it. An empty
// PATH element is the current directory; a name with a slash is not
// searched.
func LookPath(env []string, name, skip string) (string, error) {
	if strings.Contains(name, "/") {
		return "", fmt.Errorf("%s: not searched on PATH", name)
	}
	skipAbs, _ := filepath.Abs(skip)
	for _, d := range filepath.SplitList(Get(env, "PATH")) {
		if d == "" {
			d = "."
		}
		if a, _ := filepath.Abs(d); skip != "" && a == skipAbs {
			continue
		}
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	if skip != "" {
		return "", fmt.Errorf("%s: not found on PATH (outside %s)", name, skip)
	}
	return "", fmt.Errorf("%s: not found on PATH", name)
}
