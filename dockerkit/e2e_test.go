//go:build unix

package dockerkit_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/covkit/covkit/dockerkit"
	"github.com/covkit/covkit/internal/envlist"
	"github.com/covkit/covkit/internal/testbed"
	"github.com/covkit/covkit/internal/testcombine"
	"github.com/covkit/covkit/leancov"
	"github.com/covkit/covkit/pth"
)

// dockerEnv is what every Docker integration test needs: the sid image,
// a static covdocker, and a unique name prefix whose images and
// containers are removed when the test ends.
type dockerEnv struct {
	image     string // the sid bed image (covkit-testbed:sid)
	covdocker string // static binary
	prefix    string
}

func newDockerEnv(t *testing.T) *dockerEnv {
	t.Helper()
	b := testbed.Get(t, "sid")
	img := b.DockerImage(t)
	testbed.Program(t, "docker")
	var r [4]byte
	rand.Read(r[:])
	e := &dockerEnv{image: img, prefix: "covkit-dktest-" + hex.EncodeToString(r[:])}
	e.covdocker = filepath.Join(t.TempDir(), "covdocker")
	c := exec.Command("go", "build", "-o", e.covdocker, "./cmd/covdocker")
	c.Dir = testbed.RepoRoot()
	c.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("building covdocker: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		// Containers first (by name prefix), then images (by tag prefix).
		out, _ := exec.Command("docker", "ps", "-aq", "--filter", "name="+e.prefix).Output()
		if ids := strings.Fields(string(out)); len(ids) > 0 {
			exec.Command("docker", append([]string{"rm", "-f"}, ids...)...).Run()
		}
		out, _ = exec.Command("docker", "images", "--format", "{{.Repository}}:{{.Tag}}").Output()
		var imgs []string
		for _, l := range strings.Fields(string(out)) {
			if strings.HasPrefix(l, e.prefix) {
				imgs = append(imgs, l)
			}
		}
		if len(imgs) > 0 {
			exec.Command("docker", append([]string{"rmi", "-f"}, imgs...)...).Run()
		}
		exec.Command("docker", "image", "prune", "-f", "--filter", "label=covkit.test="+e.prefix).Run()
	})
	return e
}

func (e *dockerEnv) docker(t *testing.T, stdin []byte, args ...string) string {
	t.Helper()
	c := exec.Command("docker", args...)
	if stdin != nil {
		c.Stdin = bytes.NewReader(stdin)
	}
	var so, se bytes.Buffer
	c.Stdout, c.Stderr = &so, &se
	if err := c.Run(); err != nil {
		t.Fatalf("docker %s: %v\n%s%s", strings.Join(args, " "), err, so.Bytes(), se.Bytes())
	}
	return strings.TrimSpace(so.String())
}

// noCoverageImage makes an image whose Python cannot import coverage.py,
// offline: the sid image with Debian's python3-coverage removed.
func (e *dockerEnv) noCoverageImage(t *testing.T) string {
	t.Helper()
	tag := e.prefix + "-nocov:1"
	df := fmt.Sprintf("FROM %s\nLABEL covkit.test=%s\nRUN dpkg -r --force-depends python3-coverage >/dev/null\n", e.image, e.prefix)
	e.docker(t, []byte(df), "build", "-q", "-t", tag, "-")
	c := exec.Command("docker", "run", "--rm", "--network", "none", tag, "python3", "-c", "import coverage")
	if c.Run() == nil {
		t.Fatalf("%s still imports coverage", tag)
	}
	return tag
}

// covdockerBuild runs `covdocker build ARGS` and returns the image ID, the
// layer time and the bytes it added, as covdocker reported them.
func (e *dockerEnv) covdockerBuild(t *testing.T, dir string, args ...string) (id string, secs float64, added int64) {
	t.Helper()
	c := exec.Command(e.covdocker, append([]string{"build"}, args...)...)
	c.Dir = dir
	var so, se bytes.Buffer
	c.Stdout, c.Stderr = &so, &se
	if err := c.Run(); err != nil {
		t.Fatalf("covdocker build %s: %v\n%s", strings.Join(args, " "), err, se.Bytes())
	}
	m := regexp.MustCompile(`covkit layer in ([0-9.]+)s.*\+(\d+) bytes`).FindStringSubmatch(se.String())
	if m == nil {
		t.Fatalf("covdocker build said nothing of its layer:\n%s", se.Bytes())
	}
	fmt.Sscan(m[1], &secs)
	fmt.Sscan(m[2], &added)
	for _, l := range strings.Split(se.String(), "\n") {
		if strings.HasPrefix(l, "covdocker:") || strings.HasPrefix(l, "warning:") {
			t.Log(l)
		}
	}
	return strings.TrimSpace(so.String()), secs, added
}

// coverageDeb finds or downloads Debian's python3-coverage for the host.
func coverageDeb(t *testing.T) string {
	if m, _ := filepath.Glob("/var/cache/apt/archives/python3-coverage_*.deb"); len(m) > 0 {
		return m[0]
	}
	d := t.TempDir()
	c := exec.Command("apt-get", "download", "python3-coverage")
	c.Dir = d
	if out, err := c.CombinedOutput(); err != nil {
		t.Logf("no python3-coverage .deb (%v: %s): the .deb strategy is not exercised", err, bytes.TrimSpace(out))
		return ""
	}
	m, _ := filepath.Glob(filepath.Join(d, "python3-coverage_*.deb"))
	if len(m) == 0 {
		return ""
	}
	return m[0]
}

var marker = regexp.MustCompile(`#\s*([01])\s*$`)

// expectedLines reads the "# 1" (runs) and "# 0" (never runs) markers.
func expectedLines(t *testing.T, path string) (run, miss []int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(b), "\n") {
		if m := marker.FindStringSubmatch(l); m != nil {
			if m[1] == "1" {
				run = append(run, i+1)
			} else {
				miss = append(miss, i+1)
			}
		}
	}
	return run, miss
}

// TestEndToEnd runs a host orchestrator, as a test under covrun would, that
// starts (a) `docker run --rm` of a covdocker image, (b) a two-service
// `docker-compose up` of covdocker images whose base has no coverage.py
// (installed from a package directory and from a .deb), (c) a container
// with a non-forwarding shell entrypoint stopped by `docker stop`
// mid-work. Only PATH tells the orchestrator about covkit. The merged
// report must name host files only and hold exactly the lines that ran.
func TestEndToEnd(t *testing.T) {
	e := newDockerEnv(t)
	testbed.Program(t, "docker-compose")
	proj := t.TempDir()
	if err := os.CopyFS(proj, os.DirFS(filepath.Join("testdata", "e2e"))); err != nil {
		t.Fatal(err)
	}
	nocov := e.noCoverageImage(t)

	analysis := e.prefix + "-analysis:1"
	_, secs, added := e.covdockerBuild(t, proj, "-q", "--build-arg", "BASE="+e.image, "-t", analysis, "analysis")
	t.Logf("layer on an image with coverage.py: %.1fs, +%d bytes", secs, added)
	stopper := e.prefix + "-stopper:1"
	e.covdockerBuild(t, proj, "-q", "--build-arg", "BASE="+e.image, "-t", stopper, "stopper")
	svcA := e.prefix + "-svc-a:1"
	siteDir := filepath.Join(testbed.Dir(), "sid", "usr", "lib", "python3", "dist-packages")
	_, secs, added = e.covdockerBuild(t, proj, "--coverage-dir", siteDir, "-q", "--build-arg", "BASE="+nocov,
		"-f", "svc/Dockerfile.a", "-t", svcA, "svc")
	t.Logf("layer installing coverage.py from a package directory: %.1fs, +%d bytes", secs, added)
	svcB := e.prefix + "-svc-b:1"
	if deb := coverageDeb(t); deb != "" {
		_, secs, added = e.covdockerBuild(t, proj, "--coverage-deb", deb, "-q", "--build-arg", "BASE="+nocov,
			"-f", "svc/Dockerfile.b", "-t", svcB, "svc")
		t.Logf("layer installing coverage.py from %s: %.1fs, +%d bytes", filepath.Base(deb), secs, added)
	} else {
		e.covdockerBuild(t, proj, "--coverage-dir", siteDir, "-q", "--build-arg", "BASE="+nocov,
			"-f", "svc/Dockerfile.b", "-t", svcB, "svc")
	}
	compose := fmt.Sprintf(`version: "2.4"
services:
  web:
    image: %s
    network_mode: none
  worker:
    image: %s
    network_mode: none
`, svcA, svcB)
	if err := os.WriteFile(filepath.Join(proj, "docker-compose.yml"), []byte(compose), 0o644); err != nil {
		t.Fatal(err)
	}
	project := strings.ReplaceAll(e.prefix, "-", "")
	t.Cleanup(func() {
		c := exec.Command("docker-compose", "-f", filepath.Join(proj, "docker-compose.yml"), "-p", project, "down")
		c.Run()
	})

	for _, mode := range []string{"shims", "extend"} {
		t.Run(mode, func(t *testing.T) {
			e.runAndCheck(t, mode, proj, analysis, project, stopper, map[string]int{analysis: 1, stopper: 1, svcA: 1, svcB: 1})
		})
	}
}

// runAndCheck runs the orchestrator under a covkit run and checks the
// merged report. Mode "shims": only the docker and docker-compose shims on
// PATH, each starting a proxy of its own. Mode "extend": what covrun gets
// from Extend, one proxy for the run behind DOCKER_HOST, and the
// orchestrator also starts a container through docker-py.
func (e *dockerEnv) runAndCheck(t *testing.T, mode, proj, analysis, project, stopper string, wantFiles map[string]int) {
	// The engine covrun picks: lean in these CPython 3.14 containers.
	// With test contexts, as under covrun --contexts test while a test runs
	// the orchestrator.
	run, err := pth.StartRun(pth.RunOptions{Pythons: []string{}, NoInstall: true, ProjectDir: proj, Dir: t.TempDir(), Engine: pth.EngineAuto, Contexts: pth.ContextsTest})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	env := run.Environ(testbed.BaseEnv)
	env = envlist.Set(env, "PATH", "/usr/sbin:/usr/bin:/sbin:/bin:/usr/local/bin")
	env = envlist.Set(env, pth.EnvContext, e2eTest)
	name := e.prefix + "-stopped-" + mode
	args := []string{"orchestrate.py", analysis, "docker-compose.yml", project, stopper, name}
	switch mode {
	case "shims":
		shims := filepath.Join(t.TempDir(), "shims")
		if err := dockerkit.WriteShims(shims, e.covdocker); err != nil {
			t.Fatal(err)
		}
		for _, kv := range dockerkit.ShimEnv(shims, "/usr/sbin:/usr/bin:/sbin:/bin:/usr/local/bin") {
			k, v, _ := strings.Cut(kv, "=")
			env = envlist.Set(env, k, v)
		}
	case "extend":
		ext := dockerkit.Extend(dockerkit.ExtendOptions{Covdocker: e.covdocker, HostRoot: proj, Warnf: t.Logf})
		var m func(string) (string, bool)
		if env, m, err = ext(run, env); err != nil || m == nil {
			t.Fatalf("Extend: %v", err)
		}
		args = append(args, "dockerpy")
		wantFiles[analysis]++
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c := exec.CommandContext(ctx, "/usr/bin/python3", args...)
	c.Dir, c.Env = proj, env
	out, err := c.CombinedOutput()
	t.Logf("orchestrator:\n%s", out)
	if err != nil {
		t.Fatalf("orchestrator: %v", err)
	}
	run.Close()

	if mode == "shims" {
		checkContainerContexts(t, run.DataDir)
	}
	checkContainerData(t, run.DataDir, proj, wantFiles)
	checkHostReport(t, run.DataDir, proj)
}

// e2eTest is the test id the orchestrator runs under.
const e2eTest = "tests/test_pipeline.py::test_containers|run"

// checkContainerContexts: the containers the docker and docker-compose
// shims created carry the test during which they were started (their lean
// data's static context), as a child process would.
func checkContainerContexts(t *testing.T, dataDir string) {
	t.Helper()
	cds, err := dockerkit.FindContainerData(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, cd := range cds {
		for _, f := range cd.Files {
			if !strings.HasPrefix(filepath.Base(f), ".covkit.") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			lf, err := leancov.Decode(b)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			n++
			if got := lf.Header["context"]; got != e2eTest {
				t.Errorf("%s (%s): context %q, want %q", filepath.Base(f), cd.Image.Ref, got, e2eTest)
			}
		}
	}
	if n == 0 {
		t.Error("no lean data from containers: the test cannot tell")
	}
}

// checkContainerData: each container's data is attributed to its image by
// hostname, in directories no other user can write, and remaps to host
// paths (only the images' own Python files are dropped).
func checkContainerData(t *testing.T, dataDir, proj string, wantFiles map[string]int) {
	t.Helper()
	cds, err := dockerkit.FindContainerData(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, cd := range cds {
		got[cd.Image.Ref] += len(cd.Files)
		for _, d := range []string{cd.Dir, filepath.Join(cd.Dir, "log")} {
			if fi, err := os.Stat(d); err != nil || fi.Mode().Perm()&0o002 != 0 {
				t.Errorf("%s: world-writable or missing (%v)", d, err)
			}
		}
	}
	// Each container's data, attributed to its image by hostname.
	if !cmpMaps(got, wantFiles) {
		t.Errorf("data files per image: %v, want %v", got, wantFiles)
	}
	res, err := dockerkit.Remap(dataDir, proj, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("remapped %d data files; dropped %v", len(res.Files), res.Dropped)
	for _, d := range res.Dropped {
		if !strings.HasPrefix(d, "/usr/") && !strings.HasPrefix(d, "/etc/") && !strings.HasPrefix(d, "/.covkit") {
			t.Errorf("container path %s was dropped", d)
		}
	}
}

// checkHostReport: coverage.py's own combine and json report over the run's
// remapped data list host files only, each with exactly the lines it ran.
func checkHostReport(t *testing.T, dataDir, proj string) {
	t.Helper()
	host, err := testbed.Lookup("host")
	if err != nil {
		t.Skipf("skipping the report: %v", err)
	}
	cmd := func(args ...string) {
		c := exec.Command(host.Python, append([]string{"-m", "coverage"}, args...)...)
		c.Dir = dataDir
		c.Env = append(slices.Clone(testbed.BaseEnv), "COVKIT_RUN=-")
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("coverage %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	if !testcombine.Lean(t, dataDir) {
		cmd("combine", "-q")
	}
	cmd("json", "-q", "-o", "report.json")
	files, names := testcombine.ReadJSON(t, filepath.Join(dataDir, "report.json"))
	t.Logf("report: %d files", len(names))
	want := []string{"analysis/analyze.py", "analysis/helpers/stats.py", "stopper/loop.py", "svc/a/main.py", "svc/b/worker.py"}
	// Host files only: no container path survives. (The host's own
	// start-up files, measured in the host orchestrator, may appear.)
	var inProject []string
	for _, n := range names {
		if _, err := os.Stat(n); err != nil || !filepath.IsAbs(n) {
			t.Errorf("report lists %s, not a host file", n)
		}
		if rel, err := filepath.Rel(proj, n); err == nil && !strings.HasPrefix(rel, "..") {
			inProject = append(inProject, filepath.ToSlash(rel))
		}
	}
	if wantAll := append(slices.Clone(want), "orchestrate.py"); !slices.Equal(inProject, sortedCopy(wantAll)) {
		t.Errorf("project files in the report: %v, want %v", inProject, sortedCopy(wantAll))
	}
	for _, w := range want {
		p := filepath.Join(proj, filepath.FromSlash(w))
		f, ok := files[p]
		if !ok {
			t.Errorf("report lacks %s", w)
			continue
		}
		run, miss := expectedLines(t, p)
		if !slices.Equal(f.ExecutedLines, run) {
			t.Errorf("%s: executed lines %v, want %v", w, f.ExecutedLines, run)
		}
		if !slices.Equal(f.MissingLines, miss) {
			t.Errorf("%s: missing lines %v, want %v", w, f.MissingLines, miss)
		}
	}
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	sort.Strings(c)
	return c
}

func cmpMaps(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// proxied is a detached run with a Docker proxy in front of the engine,
// for the tests that start containers straight through the proxy.
type proxied struct {
	run   *pth.Run
	proxy *dockerkit.Proxy
}

// startProxied starts a detached run (checkpointing when checkpoint > 0)
// and a proxy handing its files to uid:gid; both stop at the end of the
// test.
func startProxied(t *testing.T, checkpoint time.Duration, uid, gid int) *proxied {
	t.Helper()
	run, err := pth.StartRun(pth.RunOptions{Pythons: []string{}, NoInstall: true, Detached: true, Dir: t.TempDir(), Checkpoint: checkpoint})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	p, err := dockerkit.StartProxy(dockerkit.ProxyOptions{Socket: filepath.Join(t.TempDir(), "d.sock"), RunDir: run.Root,
		UID: uid, GID: gid, All: true, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return &proxied{run: run, proxy: p}
}

// command is the docker client talking to the proxy.
func (px *proxied) command(args ...string) *exec.Cmd {
	c := exec.Command("docker", args...)
	c.Env = append(os.Environ(), "DOCKER_HOST="+px.proxy.DockerHost())
	return c
}

// docker runs the docker client through the proxy and returns its output,
// failing the test on an error.
func (px *proxied) docker(t *testing.T, args ...string) string {
	t.Helper()
	out, err := px.command(args...).CombinedOutput()
	if err != nil {
		t.Fatalf("docker %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// containerName is a fresh container name, the container removed at the
// end of the test.
func containerName(t *testing.T, prefix string) string {
	var r [4]byte
	rand.Read(r[:])
	name := prefix + hex.EncodeToString(r[:])
	t.Cleanup(func() { exec.Command("docker", "rm", "-f", name).Run() })
	return name
}

// waitReady waits for a container to print "ready".
func (px *proxied) waitReady(t *testing.T, name string) {
	for i := 0; i < 300 && !strings.Contains(px.docker(t, "logs", name), "ready"); i++ {
		time.Sleep(100 * time.Millisecond)
	}
}

// TestPlainImageAll measures a container of an image covdocker did not
// build (the bare test bed image, which has coverage.py but no hook)
// through the proxy's All mode, and maps its file back by suffix alone.
func TestPlainImageAll(t *testing.T) {
	b := testbed.Get(t, "sid")
	img := b.DockerImage(t)
	proj := t.TempDir()
	if err := os.MkdirAll(filepath.Join(proj, "pkg"), 0o755); err != nil {
		t.Fatal(err)
	}
	src := "import sys  # 1\nif len(sys.argv) > 3:  # 1\n    print('no')  # 0\nprint('plain')  # 1\n"
	if err := os.WriteFile(filepath.Join(proj, "pkg", "plainjob.py"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	px := startProxied(t, 0, os.Getuid(), os.Getgid())
	name := containerName(t, "covkit-dktest-plain-")
	c := px.command("run", "--rm", "--name", name, "--network", "none", "-v", filepath.Join(proj, "pkg")+":/srv/pkg:ro",
		img, "python3", "/srv/pkg/plainjob.py")
	if out, err := c.CombinedOutput(); err != nil || strings.TrimSpace(string(out)) != "plain" {
		t.Fatalf("docker run: %v\n%s", err, out)
	}
	if px.proxy.Measured() != 1 {
		t.Fatalf("proxy measured %d containers", px.proxy.Measured())
	}
	res, err := dockerkit.Remap(px.run.DataDir, proj, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 1 || res.Mapped != 1 {
		t.Fatalf("Remap = %+v", res)
	}
	host, err := testbed.Lookup("host")
	if err != nil {
		t.Skipf("skipping the report: %v", err)
	}
	out, err := exec.Command(host.Python, "-c", `import sys, coverage
d = coverage.CoverageData(sys.argv[1]); d.read()
for f in sorted(d.measured_files()): print(f, sorted(d.lines(f)))`, res.Files[0]).CombinedOutput()
	if err != nil {
		t.Fatalf("reading %s: %v\n%s", res.Files[0], err, out)
	}
	run1, _ := expectedLines(t, filepath.Join(proj, "pkg", "plainjob.py"))
	want := fmt.Sprintf("%s %v", filepath.Join(proj, "pkg", "plainjob.py"), strings.ReplaceAll(fmt.Sprint(run1), " ", ", "))
	if strings.TrimSpace(string(out)) != want {
		t.Errorf("data: %s\nwant %s", out, want)
	}
}

// TestKillWithCheckpoint: docker kill (SIGKILL) leaves no chance to save;
// the run's checkpoint interval, which the proxy copies into the
// container's run.cfg, bounds what is lost.
func TestKillWithCheckpoint(t *testing.T) {
	b := testbed.Get(t, "sid")
	img := b.DockerImage(t)
	proj := t.TempDir()
	src := "import time  # 1\nn = 0  # 1\nprint('ready', flush=True)  # 1\nwhile True:  # 1\n    n += 1  # 1\n    time.sleep(0.05)  # 1\n"
	if err := os.WriteFile(filepath.Join(proj, "forever.py"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	px := startProxied(t, 200*time.Millisecond, os.Getuid(), os.Getgid())
	name := containerName(t, "covkit-dktest-kill-")
	px.docker(t, "run", "-d", "--name", name, "--network", "none", "-v", proj+":/job:ro", img, "python3", "/job/forever.py")
	px.waitReady(t, name)
	// Let a few checkpoints pass, then kill without warning.
	time.Sleep(time.Second)
	px.docker(t, "kill", name)
	res, err := dockerkit.Remap(px.run.DataDir, proj, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 1 {
		t.Fatalf("after docker kill: %d data files, want the checkpointed one", len(res.Files))
	}
	host, err := testbed.Lookup("host")
	if err != nil {
		t.Skipf("skipping the data check: %v", err)
	}
	out, err := exec.Command(host.Python, "-c", `import sys, coverage
d = coverage.CoverageData(sys.argv[1]); d.read()
print(sorted(d.lines(sys.argv[2])))`, res.Files[0], filepath.Join(proj, "forever.py")).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "[1, 2, 3, 4, 5, 6]" {
		t.Errorf("checkpointed lines %s, want [1, 2, 3, 4, 5, 6]", got)
	}
}

// TestShellEntrypointWithoutInit is the control for the stopper container
// of TestEndToEnd: without covkit's init a shell as PID 1 swallows docker
// stop's SIGTERM, Python dies by SIGKILL at the timeout, and (with no
// checkpoint) its data is lost.
func TestShellEntrypointWithoutInit(t *testing.T) {
	b := testbed.Get(t, "sid")
	img := b.DockerImage(t)
	proj := t.TempDir()
	if err := os.WriteFile(filepath.Join(proj, "loop.py"), []byte("import time\nprint('ready', flush=True)\nwhile True:\n    time.sleep(0.05)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	px := startProxied(t, 0, os.Getuid(), os.Getgid())
	name := containerName(t, "covkit-dktest-noinit-")
	px.docker(t, "run", "-d", "--name", name, "--network", "none", "-v", proj+":/job:ro", img, "/bin/sh", "-c", "python3 /job/loop.py; echo done")
	px.waitReady(t, name)
	px.docker(t, "stop", "-t", "1", name)
	if code := strings.TrimSpace(px.docker(t, "inspect", "-f", "{{.State.ExitCode}}", name)); code != "137" {
		t.Errorf("exit code %s, want 137 (SIGKILL at the stop timeout)", code)
	}
	if cds, _ := dockerkit.FindContainerData(px.run.DataDir); len(cds) != 0 {
		t.Errorf("data survived a SIGKILL without a checkpoint: %+v", cds)
	}
}

// TestBuildWithBuilder makes the layer the other way (docker build, as for
// --coverage-pip) and checks the image: hook and labels in place, the
// user's configuration (user, entrypoint, workdir) untouched.
func TestBuildWithBuilder(t *testing.T) {
	e := newDockerEnv(t)
	ctxDir := t.TempDir()
	df := fmt.Sprintf("FROM %s\nLABEL covkit.test=%s\nRUN useradd -u 4321 app\nWORKDIR /srv\nCOPY job.py .\nUSER app\nENTRYPOINT [\"python3\", \"job.py\"]\n", e.image, e.prefix)
	os.WriteFile(filepath.Join(ctxDir, "Dockerfile"), []byte(df), 0o644)
	os.WriteFile(filepath.Join(ctxDir, "job.py"), []byte("print('job')\n"), 0o644)
	tag := e.prefix + "-builder:1"
	res, err := dockerkit.Build(context.Background(), dockerkit.BuildOptions{
		Args: []string{"-q", "-t", tag, ctxDir}, ProbeBinary: e.covdocker, UseBuilder: true, Verify: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("builder layer: %.1fs, +%d bytes", res.LayerTime.Seconds(), res.AddedBytes)
	var cfg struct {
		User, WorkingDir string
		Entrypoint       []string
		Labels           map[string]string
	}
	if err := json.Unmarshal([]byte(e.docker(t, nil, "image", "inspect", "-f", "{{json .Config}}", tag)), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.User != "app" || cfg.WorkingDir != "/srv" || !slices.Equal(cfg.Entrypoint, []string{"python3", "job.py"}) {
		t.Errorf("image config changed: %+v", cfg)
	}
	info, err := dockerkit.ImageInfoFromLabels(res.ImageID, tag, cfg.Labels)
	if err != nil {
		t.Fatal(err)
	}
	if info.Covkit == "" || info.Context != ctxDir || !slices.Contains(info.Paths, dockerkit.PathMapping{Container: "/srv/job.py", Host: "job.py"}) || len(info.Pythons) == 0 {
		t.Errorf("labels: %+v", info)
	}
	// Inert without a run: the image behaves as before.
	if out := e.docker(t, nil, "run", "--rm", "--network", "none", tag); out != "job" {
		t.Errorf("run: %q", out)
	}
	for _, py := range info.Pythons {
		e.docker(t, nil, "run", "--rm", "--network", "none", "--entrypoint", "test", tag, "-f", py.Site+"/"+pth.HookFile)
	}
}

// TestOwnership: a container running as a user that is neither root nor
// the host user still writes into its run directory, through the host
// user's group (added to the container) on a setgid 2770 directory; what
// it writes carries the host user's group and is readable by it (under
// the usual umask 022; a container process with umask 077 makes files only
// its own user can read). Nothing is world-writable.
func TestOwnership(t *testing.T) {
	b := testbed.Get(t, "sid")
	img := b.DockerImage(t)
	if os.Getuid() != 0 {
		t.Skip("skipping: needs root to hand the run directory to a made-up host user")
	}
	const hostUID, hostGID = 4321, 4322
	px := startProxied(t, 0, hostUID, hostGID)
	run := px.run
	out, err := px.command("run", "--rm", "--network", "none", "--user", "1234:1234", img,
		"sh", "-c", "echo x > /.covkit/log/probe && id -G").CombinedOutput()
	if err != nil {
		t.Fatalf("container could not write its log directory: %v\n%s", err, out)
	}
	if !slices.Contains(strings.Fields(string(out)), fmt.Sprint(hostGID)) {
		t.Errorf("container groups %q lack the host user's group", out)
	}
	m, _ := filepath.Glob(filepath.Join(run.DataDir, "docker", "*", "log", "probe"))
	if len(m) != 1 {
		t.Fatalf("probe file: %v", m)
	}
	fi, err := os.Stat(m[0])
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	if st.Gid != hostGID || fi.Mode().Perm()&0o040 == 0 {
		t.Errorf("file group %d mode %v, want the host user's group %d with read (setgid directory, umask 022)", st.Gid, fi.Mode(), hostGID)
	}
	for _, d := range []string{filepath.Dir(m[0]), filepath.Dir(filepath.Dir(m[0]))} {
		fi, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		if fi.Mode().Perm()&0o002 != 0 || st.Uid != hostUID || st.Gid != hostGID {
			t.Errorf("%s: mode %v owner %d:%d", d, fi.Mode(), st.Uid, st.Gid)
		}
	}
}
