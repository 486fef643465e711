package pth

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// A probe costs a Python start-up and more (tens of milliseconds per
// interpreter, for every covrun): its result is kept in covkit's state
// directory and used again while nothing it depends on has changed: the
// interpreter's executable, its site-packages directories (a package
// installed or removed changes what is in them), its coverage.py, and the bootstrap
// whose facts and compiled modules it holds.

// probeEntry is one cached probe.
type probeEntry struct {
	Info  *Info
	Stamp map[string]string // path -> its stat stamp when probed
}

// probeCacheDir is where cached probes live ("" to keep none).
func probeCacheDir() string {
	p := knownDirsFile()
	if p == "" {
		return ""
	}
	return filepath.Join(filepath.Dir(p), "probes")
}

// probeKey names the cache entry of python probed with env and asked to
// compile (or not): the variables that change what Python finds, and the
// bootstrap.
func probeKey(python string, env []string, compile bool) string {
	h := sha256.New()
	h.Write(bootstrapPy)
	h.Write(coverageEnginePy)
	h.Write(ctraceEnginePy)
	h.Write([]byte(python + "\x00"))
	if compile {
		h.Write([]byte("compile\x00"))
	}
	var vars []string
	for _, e := range env {
		if strings.HasPrefix(e, "PYTHON") || strings.HasPrefix(e, "HOME=") || strings.HasPrefix(e, "XDG_") || strings.HasPrefix(e, "PATH=") {
			vars = append(vars, e)
		}
	}
	slices.Sort(vars)
	for _, v := range vars {
		h.Write([]byte(v + "\x00"))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// stamp is what changes when the file or directory at p changes.
func stamp(p string) string {
	st, err := os.Stat(p)
	if err != nil {
		return "missing"
	}
	if ino, ctime, ok := inodeCtime(st); ok {
		return strings.Join([]string{itoa(ino), itoa(uint64(st.Size())), itoa(uint64(st.ModTime().UnixNano())), itoa(uint64(ctime))}, ":")
	}
	return st.ModTime().String()
}

func itoa(v uint64) string {
	b := make([]byte, 0, 20)
	if v == 0 {
		return "0"
	}
	for v > 0 {
		b = append(b, byte('0'+v%10))
		v /= 10
	}
	slices.Reverse(b)
	return string(b)
}

// stampDir is what changes when packages come into or leave the directory
// at p: the names in it, less covkit's own files (every run installs and
// removes its hook there).
func stampDir(p string) string {
	ents, err := os.ReadDir(p)
	if err != nil {
		return "missing"
	}
	h := sha256.New()
	for _, e := range ents {
		n := e.Name()
		if n == HookFile || n == RegistryDir || n == "__pycache__" || strings.HasPrefix(n, "_covkit_") || strings.HasPrefix(n, ".covkit-tmp") {
			continue
		}
		h.Write([]byte(n + "\x00"))
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// dependsOn lists what a probe's result follows from: path -> its stamp.
func dependsOn(info *Info) map[string]string {
	out := map[string]string{}
	for _, p := range []string{info.Executable, filepath.Join(info.Prefix, "pyvenv.cfg")} {
		out[p] = stamp(p)
	}
	if real, err := filepath.EvalSymlinks(info.Executable); err == nil {
		out[real] = stamp(real)
	}
	for _, d := range info.SitePackages {
		out["dir:"+d] = stampDir(d)
	}
	if info.CoverageDir != "" {
		p := filepath.Join(info.CoverageDir, "version.py")
		out[p] = stamp(p)
	}
	return out
}

// stampOf recomputes the stamp dependsOn recorded for key.
func stampOf(key string) string {
	if d, ok := strings.CutPrefix(key, "dir:"); ok {
		return stampDir(d)
	}
	return stamp(key)
}

func loadProbe(key string) *Info {
	dir := probeCacheDir()
	if dir == "" {
		return nil
	}
	b, err := os.ReadFile(filepath.Join(dir, key))
	if err != nil {
		return nil
	}
	var e probeEntry
	if json.Unmarshal(b, &e) != nil || e.Info == nil || len(e.Stamp) == 0 {
		return nil
	}
	for p, s := range e.Stamp {
		if stampOf(p) != s {
			return nil
		}
	}
	return e.Info
}

func saveProbe(key string, info *Info) {
	dir := probeCacheDir()
	if dir == "" || os.MkdirAll(dir, 0o700) != nil {
		return
	}
	e := probeEntry{Info: info, Stamp: dependsOn(info)}
	if b, err := json.Marshal(e); err == nil {
		writeFileAtomic(filepath.Join(dir, key), b)
	}
}
