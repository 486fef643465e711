// Package envlist owns reading and editing environments held as
// "KEY=value" lists (exec.Cmd.Env, os.Environ()), where the last entry for
// a key wins, as it does for the processes that receive them.
package envlist

import "strings"

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
