// Package conformance holds what covkit's coverage.py conformance harnesses
// (pysource's and pyarcs') share: running a dump script under a test bed's
// interpreter, or another one, with its JSON output cached; copying the
// snippet corpora into place; and diffing and summarizing mismatches.
package conformance

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/covkit/covkit/internal/testbed"
)

// CacheDir is where dumps are cached: $COVKIT_CONFORMANCE_CACHE, else
// conformance/ under the test beds' directory.
func CacheDir() string {
	if d := os.Getenv("COVKIT_CONFORMANCE_CACHE"); d != "" {
		return d
	}
	return filepath.Join(testbed.Dir(), "conformance")
}

// Runner runs Python somewhere: in a test bed, or on the host.
type Runner struct {
	Name   string
	Python string
	// HostPath maps a path where the interpreter runs to the host's.
	HostPath func(string) string
	// TempDir makes a scratch directory, as host and interpreter paths.
	TempDir func(t *testing.T) (host, there string)
	// Command runs args (args[0] is the program) in dir.
	Command func(ctx context.Context, dir string, args ...string) *exec.Cmd
	// Stamp identifies what the interpreter's corpus holds (see
	// testbed.Bed.Stamp), for cache keys; "" when unknown.
	Stamp string
}

// BedRunner runs the bed's Python inside the bed.
func BedRunner(b *testbed.Bed) *Runner {
	return &Runner{
		Name:     b.Name,
		Python:   b.Python,
		HostPath: b.HostPath,
		TempDir:  func(t *testing.T) (string, string) { return b.TempDir(t) },
		Command: func(ctx context.Context, dir string, args ...string) *exec.Cmd {
			return b.Command(ctx, dir, nil, args...)
		},
		Stamp: b.Stamp(),
	}
}

// HostRunner runs a host interpreter with env added to the environment.
func HostRunner(name, python string, env ...string) *Runner {
	return &Runner{
		Name:     name,
		Python:   python,
		HostPath: func(p string) string { return p },
		TempDir: func(t *testing.T) (string, string) {
			d := t.TempDir()
			return d, d
		},
		Command: func(ctx context.Context, dir string, args ...string) *exec.Cmd {
			cmd := exec.CommandContext(ctx, args[0], args[1:]...)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), env...)
			return cmd
		},
	}
}

// dumpCommon is the Python module the dump scripts share (the corpus walk,
// one file's parse, the dump's shape): written beside each script, which
// imports it from its own directory.
//
//go:embed dumpcommon.py
var dumpCommon []byte

// WriteScript writes script into dir as name, with dumpcommon.py beside it.
func WriteScript(dir, name string, script []byte) error {
	for file, data := range map[string][]byte{name: script, "dumpcommon.py": dumpCommon} {
		if err := os.WriteFile(filepath.Join(dir, file), data, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", file, err)
		}
	}
	return nil
}

// NewCacheKey starts the cache key of a dump made by script: a change to the
// script or to the module it imports makes a new dump. The caller adds what
// else the dump depends on (the interpreter, the corpus).
func NewCacheKey(script []byte) hash.Hash {
	h := sha256.New()
	h.Write(script)
	h.Write(dumpCommon)
	return h
}

// CachePath is where the dump called name with key h is cached.
func CachePath(name string, h hash.Hash) string {
	return filepath.Join(CacheDir(), fmt.Sprintf("%s-%s.json", name, hex.EncodeToString(h.Sum(nil)[:6])))
}

// Dump returns the JSON a dump script writes, run through r as
// "PYTHON dump.py OUT.json ARGS...". With cache set it is read from there
// when present, and stored there after a run.
func Dump(t *testing.T, r *Runner, script []byte, cache string, args []string, timeout time.Duration) []byte {
	t.Helper()
	if cache != "" {
		if data, err := os.ReadFile(cache); err == nil {
			return data
		}
	}
	host, there := r.TempDir(t)
	if err := WriteScript(host, "dump.py", script); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	argv := append([]string{r.Python, there + "/dump.py", there + "/out.json"}, args...)
	if out, err := r.Command(ctx, there, argv...).CombinedOutput(); err != nil {
		t.Fatalf("dump.py under %s: %v\n%s", r.Name, err, out)
	}
	data, err := os.ReadFile(filepath.Join(host, "out.json"))
	if err != nil {
		t.Fatal(err)
	}
	if cache != "" {
		if err := os.MkdirAll(filepath.Dir(cache), 0o755); err == nil {
			_ = os.WriteFile(cache+".tmp", data, 0o644)
			_ = os.Rename(cache+".tmp", cache)
		}
	}
	return data
}

// CopyCorpora replaces directory to with a copy of each corpus (name →
// directory on the host) under its name, in name order, writing them to h
// (the cache key). It returns the names in that order.
func CopyCorpora(t testing.TB, corpora map[string]string, to string, h io.Writer) []string {
	t.Helper()
	if err := os.RemoveAll(to); err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(corpora))
	for name := range corpora {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		CopyDir(t, corpora[name], filepath.Join(to, name), h)
	}
	return names
}

// CopyDir copies the files of directory from into to, writing their names
// and contents to h (the cache key).
func CopyDir(t testing.TB, from, to string, h io.Writer) {
	t.Helper()
	ents, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		data, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(h, "%s\x00%d\x00", e.Name(), len(data))
		h.Write(data)
		if err := os.WriteFile(filepath.Join(to, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Header is what every dump starts with (dumpcommon.header): the versions
// of Python and coverage.py, and the exclusion patterns the files were
// parsed with.
type Header struct {
	Python   string   `json:"python"`
	Coverage string   `json:"coverage"`
	Exclude  []string `json:"exclude"`
}

// Parsed is what every dump holds of one file (dumpcommon.parse): that
// coverage.py refuses it (Error, the NotPython message) or fails on it
// (Crash), or its statements and excluded lines.
type Parsed struct {
	Error      string `json:"error"`
	Crash      string `json:"crash"`
	Statements []int  `json:"statements"`
	Excluded   []int  `json:"excluded"`
}

// BedNames are the test beds to compare on: those $COVKIT_CONFORMANCE_BED
// names (comma-separated, "none" for none), else all of them.
func BedNames() []string {
	switch b := os.Getenv("COVKIT_CONFORMANCE_BED"); b {
	case "":
		return testbed.Names
	case "none":
		return nil
	default:
		return strings.Split(b, ",")
	}
}

// Sample picks the files of the dump called name to compare, in path
// order: every one with COVKIT_CONFORMANCE=full, else every seventh and
// those always keeps (the hand-written snippets). $COVKIT_CONFORMANCE_FILE
// names one file of the dump to compare alone, and then one is true (for
// diffs).
func Sample[E any](t testing.TB, name string, files map[string]E, always func(path string) bool) (paths []string, one bool) {
	t.Helper()
	if p := os.Getenv("COVKIT_CONFORMANCE_FILE"); p != "" {
		if _, ok := files[p]; !ok {
			t.Fatalf("%s not in the %s corpus", p, name)
		}
		return []string{p}, true
	}
	all := make([]string, 0, len(files))
	for p := range files {
		all = append(all, p)
	}
	sort.Strings(all)
	if os.Getenv("COVKIT_CONFORMANCE") == "full" {
		return all, false
	}
	for i, p := range all {
		if i%7 == 0 || always(p) {
			paths = append(paths, p)
		}
	}
	return paths, false
}

// Diff returns what got has and want lacks, and the reverse, in order.
func Diff[T comparable](got, want []T) (extra, missing []T) {
	w := make(map[T]bool, len(want))
	for _, x := range want {
		w[x] = true
	}
	g := make(map[T]bool, len(got))
	for _, x := range got {
		g[x] = true
		if !w[x] {
			extra = append(extra, x)
		}
	}
	for _, x := range want {
		if !g[x] {
			missing = append(missing, x)
		}
	}
	return extra, missing
}

// Mismatch is one disagreement with coverage.py: its cause (what groups
// it), the file, and where in it (lines, arcs), printed with %v.
type Mismatch struct {
	Cause string
	File  string
	Where any
}

// Summarize groups mismatches by cause, the cause found in the most files
// first, with up to three examples each.
func Summarize(all []Mismatch) string {
	type group struct {
		files map[string]bool
		n     int
		ex    []string
	}
	groups := map[string]*group{}
	for _, m := range all {
		g := groups[m.Cause]
		if g == nil {
			g = &group{files: map[string]bool{}}
			groups[m.Cause] = g
		}
		g.n++
		g.files[m.File] = true
		if len(g.ex) < 3 {
			g.ex = append(g.ex, fmt.Sprintf("%s:%v", m.File, m.Where))
		}
	}
	causes := make([]string, 0, len(groups))
	for c := range groups {
		causes = append(causes, c)
	}
	sort.Slice(causes, func(i, j int) bool {
		a, b := groups[causes[i]], groups[causes[j]]
		if len(a.files) != len(b.files) {
			return len(a.files) > len(b.files)
		}
		return causes[i] < causes[j]
	})
	var b strings.Builder
	for _, c := range causes {
		g := groups[c]
		fmt.Fprintf(&b, "  %-50s %4d files %5d cases; e.g. %s\n", c, len(g.files), g.n, strings.Join(g.ex, " "))
	}
	return b.String()
}

// FirstWords shortens an error message for grouping mismatches: the part
// after the file name of a "... as Python source: " error, at most 60
// bytes.
func FirstWords(s string) string {
	if i := strings.Index(s, " as Python source: "); i >= 0 {
		s = s[i+len(" as Python source: "):]
	}
	if len(s) > 60 {
		s = s[:60]
	}
	return s
}
