// Package testbed gives tests real CPython interpreters with real coverage.py:
// the host's Debian python3 (3.11, coverage 6.5) and the debootstrapped trixie
// (3.13, coverage 7.6) and sid (3.14, coverage 7.16) trees that testbed/build
// makes, run through chroot or as Docker images.
//
// Tests call Get, which skips under -short or when the bed is not built.
package testbed

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Names lists every test bed, oldest Python first.
var Names = []string{"host", "trixie", "sid"}

// bedPyVersion is each tree's Python.
var bedPyVersion = map[string]string{"trixie": "3.13", "sid": "3.14"}

// Bed is one test bed.
type Bed struct {
	Name string
	// Root is the tree's directory on the host; "" for the host bed.
	Root string
	// Python is the interpreter path inside the bed.
	Python string
	// PyVersion is Python's "major.minor" version.
	PyVersion string
}

// Dir is the directory of the cached trees.
func Dir() string {
	if d := os.Getenv("COVKIT_TESTBED_DIR"); d != "" {
		return d
	}
	return "/var/cache/covkit-testbed"
}

// RepoRoot finds the covkit checkout (the directory holding go.mod) from the
// test's working directory.
var RepoRoot = sync.OnceValue(func() string {
	d, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(d, "testbed", "enter")); err == nil {
			return d
		}
		p := filepath.Dir(d)
		if p == d {
			return ""
		}
		d = p
	}
})

// Lookup returns the bed called name, or an error saying why it is unusable.
func Lookup(name string) (*Bed, error) {
	switch name {
	case "host":
		b := &Bed{Name: name, Python: "/usr/bin/python3", PyVersion: "3.11"}
		out, err := exec.Command(b.Python, "-c", "import coverage").CombinedOutput()
		if err != nil {
			return nil, fmt.Errorf("host bed: /usr/bin/python3 cannot import coverage (run testbed/build host): %s", bytes.TrimSpace(out))
		}
		return b, nil
	case "trixie", "sid":
		root := filepath.Join(Dir(), name)
		if _, err := os.Stat(filepath.Join(root, ".covkit-ready")); err != nil {
			return nil, fmt.Errorf("%s bed not built at %s (run testbed/build %s)", name, root, name)
		}
		if RepoRoot() == "" {
			return nil, fmt.Errorf("cannot find testbed/enter above the working directory")
		}
		return &Bed{Name: name, Root: root, Python: "/usr/bin/python3", PyVersion: bedPyVersion[name]}, nil
	}
	return nil, fmt.Errorf("unknown test bed %q", name)
}

// Get returns the bed called name, skipping t under -short or when the bed is
// not available here. With COVKIT_REQUIRE_TESTBED=1 (CI) a missing bed fails.
func Get(t testing.TB, name string) *Bed {
	t.Helper()
	if testing.Short() {
		t.Skipf("skipping: test bed %s is an integration test (-short)", name)
	}
	b, err := Lookup(name)
	if err != nil {
		if os.Getenv("COVKIT_REQUIRE_TESTBED") == "1" {
			t.Fatalf("test bed required: %v", err)
		}
		t.Skipf("skipping: %v", err)
	}
	return b
}

// Each runs f in a subtest of t for every bed, oldest Python first; a bed
// that Get skips skips its subtest alone.
func Each(t *testing.T, f func(t *testing.T, b *Bed)) {
	t.Helper()
	for _, name := range Names {
		t.Run(name, func(t *testing.T) { f(t, Get(t, name)) })
	}
}

// Program returns the path of the first of names found on PATH: a program a
// test runs besides the beds (xmllint, chromium, docker-compose, ...). When
// none is there it skips t, or fails it under COVKIT_REQUIRE_TESTBED=1:
// `make test` installs them all (testbed/build tools).
func Program(t testing.TB, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	msg := fmt.Sprintf("no %s on PATH (make testdeps, or testbed/build tools, installs it)", strings.Join(names, " or "))
	if os.Getenv("COVKIT_REQUIRE_TESTBED") == "1" {
		t.Fatal(msg)
	}
	t.Skip("skipping: " + msg)
	return ""
}

// TempDir makes a fresh directory visible inside the bed, removed when the
// test ends. It returns its host path and the path the bed sees.
//
// Its name is short in every bed, never the test's name as t.TempDir's is:
// programs under test put sockets in it (multiprocessing's forkserver
// listener, pymp-*/listener-*), and a socket's path must fit in 108 bytes
// however long $TMPDIR is.
func (b *Bed) TempDir(t testing.TB) (host, inBed string) {
	t.Helper()
	base := os.TempDir()
	if b.Root != "" {
		base = filepath.Join(b.Root, "tmp")
	}
	d, err := os.MkdirTemp(base, "covkit-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	if b.Root == "" {
		return d, d
	}
	return d, "/tmp/" + filepath.Base(d)
}

// HostPath maps a path inside the bed to the host.
func (b *Bed) HostPath(inBed string) string {
	if b.Root == "" {
		return inBed
	}
	return filepath.Join(b.Root, inBed)
}

// BedPath maps a host path under the tree to the path the bed sees.
func (b *Bed) BedPath(host string) string {
	if b.Root == "" {
		return host
	}
	rel, err := filepath.Rel(b.Root, host)
	if err != nil || strings.HasPrefix(rel, "..") {
		panic(fmt.Sprintf("testbed: %s is not inside %s", host, b.Root))
	}
	return "/" + rel
}

// BaseEnv is the environment every bed command starts from: no variables of
// the developer's shell leak in.
var BaseEnv = []string{
	"HOME=/root",
	"LANG=C.UTF-8",
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
}

// Command returns a command that runs args in the bed, in directory dir (a
// path as the bed sees it), with BaseEnv plus env.
func (b *Bed) Command(ctx context.Context, dir string, env []string, args ...string) *exec.Cmd {
	if b.Root == "" {
		c := exec.CommandContext(ctx, args[0], args[1:]...)
		c.Dir = dir
		c.Env = append(append([]string{}, BaseEnv...), env...)
		// On the host, /usr/bin/python3 must win over any pyenv shim.
		c.Env[2] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin:/usr/local/bin"
		return c
	}
	a := []string{b.Name, "-w", dir}
	for _, e := range env {
		a = append(a, "-e", e)
	}
	a = append(a, "--")
	a = append(a, args...)
	c := exec.CommandContext(ctx, filepath.Join(RepoRoot(), "testbed", "enter"), a...)
	c.Env = append(os.Environ(), "COVKIT_TESTBED_DIR="+Dir())
	return c
}

// Result is what a bed command did.
type Result struct {
	Stdout, Stderr string
	ExitCode       int
}

// Run runs args in the bed (see Command) with a 5 minute limit and returns
// what it printed. It fails t only if the command could not be started.
func (b *Bed) Run(t testing.TB, dir string, env []string, args ...string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c := b.Command(ctx, dir, env, args...)
	var so, se bytes.Buffer
	c.Stdout, c.Stderr = &so, &se
	err := c.Run()
	r := Result{Stdout: so.String(), Stderr: se.String()}
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			r.ExitCode = ee.ExitCode()
		} else {
			t.Fatalf("testbed %s: %v", b.Name, err)
		}
	}
	return r
}

// MustRun is Run that fails t when the command exits non-zero.
func (b *Bed) MustRun(t testing.TB, dir string, env []string, args ...string) Result {
	t.Helper()
	r := b.Run(t, dir, env, args...)
	if r.ExitCode != 0 {
		t.Fatalf("testbed %s: %q exited %d\nstdout:\n%s\nstderr:\n%s", b.Name, args, r.ExitCode, r.Stdout, r.Stderr)
	}
	return r
}

// ImageRepo is the repository of the beds' Docker images:
// $COVKIT_TESTBED_IMAGE, default covkit-testbed. A second checkout sharing the
// Docker engine (testbed/fresh-check) sets it so its images never replace
// the ones other test runs use.
func ImageRepo() string {
	if r := os.Getenv("COVKIT_TESTBED_IMAGE"); r != "" {
		return r
	}
	return "covkit-testbed"
}

// Stamp identifies what the bed holds (its interpreter and packages), so
// that results cached from it, such as conformance dumps, are remade when
// testbed/build changes it: a tree's .covkit-ready and .covkit-corpus stamps, or the host's
// installed python3 packages and their versions.
func (b *Bed) Stamp() string {
	if b.Root != "" {
		ready, _ := os.ReadFile(filepath.Join(b.Root, ".covkit-ready"))
		corpus, _ := os.ReadFile(filepath.Join(b.Root, ".covkit-corpus"))
		return string(ready) + string(corpus)
	}
	out, _ := exec.Command("dpkg-query", "-W", "-f", "${Package} ${Version}\n", "python3*").Output()
	return string(out)
}

// Image is the Docker image made from the bed's tree by testbed/build images.
func (b *Bed) Image() string { return ImageRepo() + ":" + b.Name }

// DockerImage returns the bed's image name, skipping t when there is no
// Docker engine or no image (failing under COVKIT_REQUIRE_TESTBED=1).
func (b *Bed) DockerImage(t testing.TB) string {
	t.Helper()
	if b.Root == "" {
		t.Skipf("skipping: the host bed has no Docker image")
	}
	out, err := exec.Command("docker", "image", "inspect", "-f", "{{.Id}}", b.Image()).CombinedOutput()
	if err != nil {
		msg := fmt.Sprintf("no Docker image %s (%s)", b.Image(), bytes.TrimSpace(out))
		if os.Getenv("COVKIT_REQUIRE_TESTBED") == "1" {
			t.Fatal(msg)
		}
		t.Skip("skipping: " + msg)
	}
	return b.Image()
}
