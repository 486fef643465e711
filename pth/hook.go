package pth

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/covkit/covkit/internal/outfile"
)

// Hook is the state of covkit's hook in one site-packages directory.
type Hook struct {
	Dir       string // site-packages directory
	Path      string // the .pth file
	Installed bool   // the .pth file exists
	Mode      Mode   // who owns it
	Version   int    // hook version written in the file
	Current   bool   // hook and bootstrap are exactly what this binary writes
	// Runs are the registered runs whose owner is alive: while there is one,
	// the hook is live (processes with a scrubbed environment look for
	// their run); otherwise it is inert.
	Runs []RunEntry
	// Removed lists what the call tidied away: stale registry entries and
	// run-owned hooks left by runs that were killed.
	Removed []string
}

// Live reports whether the hook would start coverage in some process now.
func (h *Hook) Live() bool { return h.Installed && len(h.Runs) > 0 }

// RunEntry is one run registered in a directory's registry.
type RunEntry struct {
	ID    string
	Owner int    // pid of the process that owns the run (0: detached)
	Start string // the owner's start time, to tell a reused pid apart
	Root  string // the run directory
}

var hookHeader = regexp.MustCompile(`^# covkit hook v(\d+) mode=(\w+)`)

// lockDir takes an exclusive flock on dir itself, serializing every covkit
// process that installs, registers or removes in it.
func lockDir(dir string) (unlock func(), err error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	for {
		err = flockExclusive(f)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("locking %s: %w", dir, err)
	}
	return func() { f.Close() }, nil
}

// InstallDir installs the hook into site-packages directory dir (atomic,
// idempotent). A persistent hook already there stays persistent.
func InstallDir(dir string, mode Mode) (*Hook, error) {
	unlock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	h, err := tidy(dir)
	if err != nil {
		return nil, err
	}
	if h.Installed && h.Mode == ModePersistent {
		mode = ModePersistent
	}
	if err := writeHookFiles(dir, mode); err != nil {
		return nil, err
	}
	rememberDir(dir)
	return readHook(dir, h.Removed)
}

// RemoveDir takes every covkit file out of dir: hook, bootstrap and
// registry. Unless force is set, a hook that live runs still use is only
// handed over to them (made run-owned, so it goes when the last one ends)
// and Hook.Runs says which; forced, those runs keep measuring children that
// inherit their environment only.
func RemoveDir(dir string, force bool) (*Hook, error) {
	unlock, err := lockDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return &Hook{Dir: dir, Path: filepath.Join(dir, HookFile)}, nil
		}
		return nil, err
	}
	defer unlock()
	h, err := tidy(dir)
	if err != nil {
		return nil, err
	}
	if !force && h.Installed && len(h.Runs) > 0 {
		if h.Mode != ModeRun {
			if err := writeFileAtomic(h.Path, HookLine(dir, ModeRun)); err != nil {
				return nil, err
			}
			h.Mode = ModeRun
		}
		return h, nil
	}
	var errs []error
	for _, name := range append(slices.Clone(remoteNames), installedNames...) {
		p := filepath.Join(dir, name)
		// Nothing to remove is done, even where removing would fail (a
		// read-only file system refuses to unlink what is not there).
		if _, err := os.Lstat(p); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err := os.Remove(p); err == nil {
			h.Removed = append(h.Removed, p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	h.Removed = append(h.Removed, removePycs(dir)...)
	reg := filepath.Join(dir, RegistryDir)
	if _, err := os.Stat(reg); err == nil {
		if err := os.RemoveAll(reg); err != nil {
			errs = append(errs, err)
		} else {
			h.Removed = append(h.Removed, reg)
		}
	}
	h.Installed = false
	return h, errors.Join(errs...)
}

// StatusDir reports the hook in dir, after tidying away what killed runs
// left behind.
func StatusDir(dir string) (*Hook, error) {
	if !isDir(dir) {
		return &Hook{Dir: dir, Path: filepath.Join(dir, HookFile)}, nil
	}
	if !writable(dir) {
		return readHook(dir, nil)
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	return tidy(dir)
}

// tidy removes stale registry entries and run-owned hooks no live run
// uses. The caller holds the directory lock.
func tidy(dir string) (*Hook, error) {
	h, err := readHook(dir, nil)
	if err != nil {
		return nil, err
	}
	reg := filepath.Join(dir, RegistryDir)
	ents, _ := os.ReadDir(reg)
	for _, e := range ents {
		p := filepath.Join(reg, e.Name())
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		m := parseKV(b)
		if !alive(m.int("owner"), m["start"]) {
			if os.Remove(p) == nil {
				h.Removed = append(h.Removed, p)
			}
		}
	}
	h.Runs = liveRuns(dir)
	if len(h.Runs) == 0 {
		if os.Remove(reg) == nil { // only if empty
			h.Removed = append(h.Removed, reg)
		}
		if h.Installed && h.Mode == ModeRun {
			for _, name := range installedNames {
				p := filepath.Join(dir, name)
				if os.Remove(p) == nil {
					h.Removed = append(h.Removed, p)
				}
			}
			removePycs(dir)
			h.Installed = false
		}
	}
	return h, nil
}

func liveRuns(dir string) []RunEntry {
	reg := filepath.Join(dir, RegistryDir)
	ents, _ := os.ReadDir(reg)
	var out []RunEntry
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(reg, e.Name()))
		if err != nil {
			continue
		}
		m := parseKV(b)
		r := RunEntry{ID: e.Name(), Owner: m.int("owner"), Start: m["start"], Root: m["run"]}
		if alive(r.Owner, r.Start) {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func readHook(dir string, removed []string) (*Hook, error) {
	h := &Hook{Dir: dir, Path: filepath.Join(dir, HookFile), Removed: removed}
	b, err := os.ReadFile(h.Path)
	if errors.Is(err, fs.ErrNotExist) {
		h.Runs = liveRuns(dir)
		return h, nil
	}
	if err != nil {
		return nil, err
	}
	h.Installed = true
	if m := hookHeader.FindSubmatch(b); m != nil {
		h.Version, _ = strconv.Atoi(string(m[1]))
		h.Mode = Mode(m[2])
	}
	h.Current = bytes.Equal(b, HookLine(dir, h.Mode))
	for name, want := range Modules() {
		got, _ := os.ReadFile(filepath.Join(dir, name))
		h.Current = h.Current && bytes.Equal(got, want)
	}
	h.Runs = liveRuns(dir)
	return h, nil
}

// register adds a run to dir's registry. The caller holds the lock.
func register(dir string, e RunEntry) error {
	reg := filepath.Join(dir, RegistryDir)
	if err := os.MkdirAll(reg, 0o755); err != nil {
		return err
	}
	content := fmt.Sprintf("owner=%d\nstart=%s\nrun=%s\n", e.Owner, e.Start, e.Root)
	return writeFileAtomic(filepath.Join(reg, e.ID), []byte(content))
}

// writeFileAtomic writes content to path (mode 0644) as package outfile
// writes, skipping the write when the file already holds content. The
// temporary file beside it is invisible to site: it does not end in .pth.
func writeFileAtomic(path string, content []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, content) {
		return nil
	}
	f, err := outfile.CreateMode(path, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(content); err != nil {
		f.Abort()
		return err
	}
	return f.Commit()
}

// knownDirsFile records every directory covkit installed into, so that
// `covhook remove --all` finds them again.
func knownDirsFile() string {
	if d := os.Getenv("COVKIT_STATE_DIR"); d != "" {
		return filepath.Join(d, "hooks")
	}
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "covkit", "hooks")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".local", "state", "covkit", "hooks")
}

func rememberDir(dir string) {
	p := knownDirsFile()
	if p == "" || slices.Contains(KnownDirs(), dir) {
		return
	}
	if os.MkdirAll(filepath.Dir(p), 0o755) != nil {
		return
	}
	f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintln(f, dir)
}

// KnownDirs lists the directories covkit has installed hooks into (as
// recorded for this user), sorted.
func KnownDirs() []string {
	p := knownDirsFile()
	if p == "" {
		return nil
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out
}

// Install installs a hook for interpreter python (see InstallDir).
func Install(python string, mode Mode, env []string) (*Hook, *Info, error) {
	info, err := InterpreterInfo(python, env)
	if err != nil {
		return nil, nil, err
	}
	h, err := InstallDir(info.HookDir, mode)
	return h, info, err
}

// Remove removes every covkit file from every site-packages directory of
// interpreter python.
func Remove(python string, force bool, env []string) ([]*Hook, error) {
	info, err := InterpreterInfo(python, env)
	if err != nil {
		return nil, err
	}
	var out []*Hook
	var errs []error
	for _, d := range info.SitePackages {
		h, err := RemoveDir(d, force)
		if err != nil {
			errs = append(errs, err)
		}
		if h != nil {
			out = append(out, h)
		}
	}
	return out, errors.Join(errs...)
}

// Status reports the hook state of every site-packages directory of python.
func Status(python string, env []string) ([]*Hook, *Info, error) {
	info, err := InterpreterInfo(python, env)
	if err != nil {
		return nil, nil, err
	}
	var out []*Hook
	for _, d := range info.SitePackages {
		h, err := StatusDir(d)
		if err != nil {
			return out, info, err
		}
		out = append(out, h)
	}
	return out, info, nil
}
