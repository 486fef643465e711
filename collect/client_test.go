package collect

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/covkit/covkit/leancov"
	"github.com/covkit/covkit/pth"
	"github.com/covkit/covkit/sqlitecov"
)

// The remote client (pth's _covkit_remote.py) against a real collector, in
// a CPython with sys.monitoring (the lean engine) outside any test bed: a
// site directory holding what covdocker build puts into an image.

// clientPythons are the interpreters outside the test beds to run the
// client in: pyenv's CPython 3.12+ (the lean engine) and, where it can
// import coverage.py, Debian's (the host bed: CPython 3.11 and coverage.py
// 6.5, the lean engine's pre-3.12 form driving coverage.py's tracer).
func clientPythons(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, p := range []string{"/root/.pyenv/versions/3.12.1/bin/python3.12", "/root/.pyenv/versions/3.13.0/bin/python3.13"} {
		if _, err := os.Stat(p); err == nil {
			out["lean"] = p
			break
		}
	}
	if exec.Command("/usr/bin/python3", "-c", "import coverage").Run() == nil {
		out["ctrace"] = "/usr/bin/python3"
		out["coverage"] = "/usr/bin/python3"
	}
	if len(out) == 0 {
		t.Skip("no CPython 3.12+ (pyenv's) nor a Debian python3 with coverage.py to run the remote client in")
	}
	return out
}

// clientSite writes the hook, the bootstrap, the remote client and an image
// description into a new site directory.
func clientSite(t *testing.T, image string) string {
	t.Helper()
	site := t.TempDir()
	files := pth.Files(site, pth.ModePersistent)
	for k, v := range pth.RemoteFiles() {
		files[k] = v
	}
	files[pth.RemoteImageFile] = []byte(image)
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(site, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return site
}

// runClient runs app.py in dir with site processed as a site directory
// (as site.main processes an image's), under env.
func runClient(ctx context.Context, py, site, dir string, env []string, app string) *exec.Cmd {
	prog := "import site,sys,runpy;site.addsitedir(sys.argv[1]);sys.argv=sys.argv[2:];runpy.run_path(sys.argv[0],run_name='__main__')"
	cmd := exec.CommandContext(ctx, py, "-c", prog, site, filepath.Join(dir, app))
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(), env...)
	return cmd
}

// cleanEnv is this environment without covkit's or Python's variables.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "COVKIT_") && !strings.HasPrefix(kv, "PYTHON") {
			out = append(out, kv)
		}
	}
	return append(out, "PYTHONDONTWRITEBYTECODE=1")
}

// pushedLines decodes every lean file the collector kept: lines by path.
func pushedLines(t *testing.T, dir string) map[string][]int {
	t.Helper()
	out := map[string][]int{}
	for _, n := range dataFiles(t, dir) {
		if strings.HasPrefix(n, ".coverage.") {
			d, err := sqlitecov.ReadFile(filepath.Join(dir, n))
			if err != nil {
				t.Fatalf("%s: %v", n, err)
			}
			for p, f := range d.Files {
				out[p] = union(out[p], f.Lines[""])
			}
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		f, err := leancov.Decode(b)
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		for _, m := range f.Files {
			out[m.Path] = union(out[m.Path], m.Lines[""])
		}
	}
	return out
}

func union(a, b []int) []int {
	seen := map[int]bool{}
	var out []int
	for _, l := range append(append([]int{}, a...), b...) {
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}

func has(lines []int, want ...int) bool {
	for _, w := range want {
		found := false
		for _, l := range lines {
			found = found || l == w
		}
		if !found {
			return false
		}
	}
	return true
}

const clientApp = `import os, sys, time
def work():
    return 1
mode = sys.argv[1]
if mode == "exit":
    work()
elif mode == "_exit":
    work()
    os._exit(3)
elif mode == "serve":
    work()
    while True:
        time.sleep(0.05)
        open(sys.argv[2], "w").close()
elif mode == "fork":
    pid = os.fork()
    if pid == 0:
        work()
        os._exit(0)
    os.waitpid(pid, 0)
print("done")
`

func TestRemoteClient(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: runs Python processes (-short)")
	}
	for engine, py := range clientPythons(t) {
		t.Run(engine, func(t *testing.T) { testRemoteClient(t, py, engine) })
	}
}

// clientEnv is what the remote client's tests share: an interpreter, the
// engine measuring it, a site directory with the client's hook, and the app.
type clientEnv struct {
	ctx                   context.Context
	py, engine, site, app string
	appPath               string
	withEngine            func([]string) []string
}

func testRemoteClient(t *testing.T, py, engine string) {
	withEngine := func(env []string) []string {
		if engine == "coverage" {
			return append(env, "COVKIT_ENGINE=coverage")
		}
		return env
	}
	site := clientSite(t, `{"context":"/ctx","paths":[{"container":"/app","host":"."}]}`)
	app := t.TempDir()
	if err := os.WriteFile(filepath.Join(app, "app.py"), []byte(clientApp), 0o644); err != nil {
		t.Fatal(err)
	}
	appPath := filepath.Join(app, "app.py")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	c := clientEnv{ctx: ctx, py: py, engine: engine, site: site, app: app, appPath: appPath, withEngine: withEngine}
	testClientPushes(t, c)
	testClientEdges(t, c)
}

// testClientPushes: the client pushes at exit, os._exit, a flush, around
// forks, and for a SIGKILLed child.
func testClientPushes(t *testing.T, c clientEnv) {
	ctx, py, engine, site, app, appPath, withEngine := c.ctx, c.py, c.engine, c.site, c.app, c.appPath, c.withEngine
	t.Run("exit and os._exit push", func(t *testing.T) {
		dir := t.TempDir()
		s := startServer(t, Options{DataDir: dir})
		env := withEngine([]string{"COVKIT_COLLECT=http://" + s.Addr(), "COVKIT_TOKEN=" + s.Token(), "COVKIT_REMOTE_DIR=" + t.TempDir()})
		for _, mode := range []string{"exit", "_exit"} {
			cmd := runClient(ctx, py, site, app, env, "app.py")
			cmd.Args = append(cmd.Args, mode)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			if want := map[string]int{"exit": 0, "_exit": 3}[mode]; cmd.ProcessState.ExitCode() != want {
				t.Fatalf("%s: exit %d (%v), want %d; stderr %q", mode, cmd.ProcessState.ExitCode(), err, want, stderr.String())
			}
			if stderr.Len() != 0 {
				t.Fatalf("%s: stderr %q", mode, stderr.String())
			}
		}
		prefix := ".covkit.remote-"
		if engine == "coverage" {
			prefix = ".coverage.remote-" // coverage.py's SQLite files
		}
		for _, n := range dataFiles(t, dir) {
			if !strings.HasPrefix(n, prefix) {
				t.Errorf("pushed %s, want %s...", n, prefix)
			}
		}
		got := pushedLines(t, dir)
		if !has(got[appPath], 1, 2, 3, 4, 5, 6, 7, 8, 9) {
			t.Fatalf("pushed lines %v", got)
		}
		if st := s.Stats(); st.Processes != 2 {
			t.Fatalf("stats %+v", st)
		}
	})

	t.Run("a live service answers the flush", func(t *testing.T) {
		dir := t.TempDir()
		s := startServer(t, Options{DataDir: dir})
		ready := filepath.Join(t.TempDir(), "ready")
		env := withEngine([]string{"COVKIT_COLLECT=http://" + s.Addr(), "COVKIT_TOKEN=" + s.Token(), "COVKIT_CHECKPOINT=1h", "COVKIT_REMOTE_DIR=" + t.TempDir()})
		cmd := runClient(ctx, py, site, app, env, "app.py")
		cmd.Args = append(cmd.Args, "serve", ready)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { cmd.Process.Kill(); cmd.Wait() }()
		for !exists(ready) {
			if ctx.Err() != nil {
				t.Fatal("service never ready")
			}
			time.Sleep(20 * time.Millisecond)
		}
		// Its long-poll must have reached the collector: a flush needs a
		// live client to ask.
		for s.liveClients() == 0 {
			time.Sleep(20 * time.Millisecond)
		}
		res := s.Flush(ctx, 30*time.Second)
		if res.Asked != 1 || res.Answered != 1 {
			t.Fatalf("flush %+v", res)
		}
		if got := pushedLines(t, dir)[appPath]; !has(got, 1, 2, 3, 4, 5, 10, 11, 13, 14) {
			t.Fatalf("flushed lines %v", got)
		}
	})

	t.Run("os.fork", func(t *testing.T) {
		// CPython 3.12+ warns about forking a multi-threaded process: the
		// pusher thread must not be there at the fork.
		dir := t.TempDir()
		s := startServer(t, Options{DataDir: dir})
		env := withEngine([]string{"COVKIT_COLLECT=http://" + s.Addr(), "COVKIT_TOKEN=" + s.Token(), "COVKIT_REMOTE_DIR=" + t.TempDir()})
		cmd := runClient(ctx, py, site, app, env, "app.py")
		cmd.Args = append(append([]string{py, "-W", "always::DeprecationWarning"}, cmd.Args[1:]...), "fork")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil || stdout.String() != "done\n" || stderr.Len() != 0 {
			t.Fatalf("err %v stdout %q stderr %q", err, stdout.String(), stderr.String())
		}
		if got := pushedLines(t, dir)[appPath]; !has(got, 15, 16, 17, 18, 19, 20, 21) {
			t.Fatalf("pushed lines %v", got)
		}
		if st := s.Stats(); st.Processes != 2 {
			t.Fatalf("stats %+v: want the parent's and the child's pushes", st)
		}
	})

	t.Run("a SIGKILLed child's data goes with its parent's", func(t *testing.T) {
		if engine != "lean" {
			t.Skip("skipping: only the lean engine keeps what a SIGKILLed process ran")
		}
		child := filepath.Join(app, "child.py")
		os.WriteFile(child, []byte("import os, signal\ndef f():\n    return 2\nf()\nos.kill(os.getpid(), signal.SIGKILL)\n"), 0o644)
		parent := filepath.Join(app, "parent.py")
		os.WriteFile(parent, []byte(`import os, subprocess, sys
prog = "import site,sys,runpy;site.addsitedir(sys.argv[1]);runpy.run_path(sys.argv[2],run_name='__main__')"
r = subprocess.run([sys.executable, "-c", prog, os.environ["TEST_SITE"], sys.argv[1]])
print(r.returncode)
`), 0o644)
		dir := t.TempDir()
		s := startServer(t, Options{DataDir: dir})
		env := []string{"COVKIT_COLLECT=http://" + s.Addr(), "COVKIT_TOKEN=" + s.Token(), "COVKIT_CHECKPOINT=1h", "COVKIT_REMOTE_DIR=" + t.TempDir(), "TEST_SITE=" + site}
		cmd := runClient(ctx, py, site, app, env, "parent.py")
		cmd.Args = append(cmd.Args, child)
		if out, err := cmd.CombinedOutput(); err != nil || string(out) != "-9\n" {
			t.Fatalf("%v: %q", err, out)
		}
		if got := pushedLines(t, dir)[child]; !has(got, 1, 2, 3, 4, 5) {
			t.Fatalf("child's lines %v", got)
		}
	})

}

// testClientEdges: the client is inert without COVKIT_COLLECT, speaks
// HTTPS, and never disturbs a program whose collector is unreachable.
func testClientEdges(t *testing.T, c clientEnv) {
	ctx, py, site, app, appPath, withEngine := c.ctx, c.py, c.site, c.app, c.appPath, c.withEngine
	t.Run("inert without COVKIT_COLLECT", func(t *testing.T) {
		probe := filepath.Join(app, "probe.py")
		os.WriteFile(probe, []byte("import sys\nprint(sorted(m for m in ('_covkit_remote', 'http.client', 'urllib.request', 'threading') if m in sys.modules))\n"), 0o644)
		cmd := runClient(ctx, py, site, app, []string{"COVKIT_TOKEN=x"}, "probe.py")
		if out, err := cmd.CombinedOutput(); err != nil || string(out) != "[]\n" {
			t.Fatalf("%v: modules loaded: %s", err, out)
		}
	})

	t.Run("https", func(t *testing.T) {
		dir := t.TempDir()
		certFile, conf := selfSigned(t)
		s := startServer(t, Options{DataDir: dir, TLS: conf})
		for _, ca := range []string{certFile, ""} {
			env := withEngine([]string{"COVKIT_COLLECT=https://" + s.Addr(), "COVKIT_TOKEN=" + s.Token(), "COVKIT_REMOTE_DIR=" + t.TempDir(), "COVKIT_COLLECT_CA=" + ca})
			cmd := runClient(ctx, py, site, app, env, "app.py")
			cmd.Args = append(cmd.Args, "exit")
			if out, err := cmd.CombinedOutput(); err != nil || string(out) != "done\n" {
				t.Fatalf("%v: %q", err, out)
			}
		}
		// With the CA the push arrives; without it (an unknown certificate)
		// nothing is sent.
		if st := s.Stats(); st.Processes != 1 || !has(pushedLines(t, dir)[appPath], 1, 4, 5, 6) {
			t.Fatalf("stats %+v", st)
		}
	})

	t.Run("unreachable collector", func(t *testing.T) {
		// Nothing listens: the program runs and ends as it would, silently.
		local := t.TempDir()
		env := []string{"COVKIT_COLLECT=http://127.0.0.1:1", "COVKIT_TOKEN=x", "COVKIT_CHECKPOINT=100ms", "COVKIT_REMOTE_DIR=" + local}
		cmd := runClient(ctx, py, site, app, env, "app.py")
		cmd.Args = append(cmd.Args, "exit")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		start := time.Now()
		if err := cmd.Run(); err != nil || stdout.String() != "done\n" || stderr.Len() != 0 {
			t.Fatalf("err %v stdout %q stderr %q", err, stdout.String(), stderr.String())
		}
		t.Logf("run with an unreachable collector took %v", time.Since(start))
		// It measured, and said why it could not push in its own log.
		logs, _ := filepath.Glob(filepath.Join(local, "covkit-remote-*", "log", "remote.*.log"))
		data, _ := filepath.Glob(filepath.Join(local, "covkit-remote-*", "data", ".covkit.*"))
		if len(logs) != 1 || len(data) != 1 {
			t.Fatalf("logs %v data %v", logs, data)
		}
		if b, _ := os.ReadFile(logs[0]); !strings.Contains(string(b), "final push to http://127.0.0.1:1") {
			t.Fatalf("log %s", b)
		}
	})
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// liveClients counts the clients heard from (tests).
func (s *Server) liveClients() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.clients)
}

// selfSigned makes a certificate for 127.0.0.1 and returns its PEM file and
// a server configuration that uses it.
func selfSigned(t *testing.T) (string, *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "covkit test collector"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	kb, _ := x509.MarshalECPrivateKey(key)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})
	certFile := filepath.Join(t.TempDir(), "cert.pem")
	if err := os.WriteFile(certFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return certFile, &tls.Config{Certificates: []tls.Certificate{pair}}
}
