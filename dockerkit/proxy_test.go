package dockerkit

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fakeEngine is a Docker Engine API stand-in on a unix socket: two images,
// container create (recorded) and a hijacking attach that echoes.
type fakeEngine struct {
	sock    string
	mu      sync.Mutex
	creates [][]byte
}

func startFakeEngine(t *testing.T) *fakeEngine {
	t.Helper()
	f := &fakeEngine{sock: filepath.Join(t.TempDir(), "engine.sock")}
	ln, err := net.Listen("unix", f.sock)
	if err != nil {
		t.Fatal(err)
	}
	images := map[string]any{
		"hooked:1": map[string]any{"Id": "sha256:aaaaaaaaaaaa1111", "Config": map[string]any{
			"Labels":     map[string]string{LabelVersion: "test", LabelPaths: `[{"container":"/app","host":"."}]`},
			"Entrypoint": []string{"/bin/sh", "-c", "python3 /app/x.py"}, "Cmd": []string{"arg"}}},
		"plain:1": map[string]any{"Id": "sha256:bbbbbbbbbbbb2222", "Config": map[string]any{
			"Env": []string{"PYTHONPATH=/opt/lib"}, "Cmd": []string{"python3"}}},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /images/{name}/json", func(w http.ResponseWriter, r *http.Request) {
		im, ok := images[r.PathValue("name")]
		if !ok {
			http.Error(w, `{"message":"No such image"}`, http.StatusNotFound)
			return
		}
		json.NewEncoder(w).Encode(im)
	})
	mux.HandleFunc("POST /{v}/containers/create", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.ContentLength != int64(len(b)) {
			t.Errorf("create: Content-Length %d for %d bytes", r.ContentLength, len(b))
		}
		f.mu.Lock()
		f.creates = append(f.creates, b)
		f.mu.Unlock()
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"Id":"c0ffee000000aaaa","Warnings":[]}`)
	})
	mux.HandleFunc("POST /containers/c0ffee/attach", func(w http.ResponseWriter, r *http.Request) {
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		rw.WriteString("HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n")
		rw.Flush()
		buf := make([]byte, 5)
		if _, err := io.ReadFull(rw, buf); err == nil {
			conn.Write(buf)
		}
	})
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return f
}

func (f *fakeEngine) last(t *testing.T) map[string]any {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	var m map[string]any
	if err := json.Unmarshal(f.creates[len(f.creates)-1], &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func unixClient(sock string) *http.Client {
	return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", sock)
	}}}
}

func startTestProxy(t *testing.T, all bool) (*Proxy, *fakeEngine, string) {
	t.Helper()
	eng := startFakeEngine(t)
	run := t.TempDir()
	data := filepath.Join(run, "data")
	rc := filepath.Join(run, "covrc")
	os.WriteFile(rc, []byte("[run]\nbranch = true\n"), 0o644)
	os.WriteFile(filepath.Join(run, "run.cfg"), []byte("data="+data+"\nowner=123\nstart=9\nbranch=1\nrcfile="+rc+"\nproject=/p\n"), 0o644)
	p, err := StartProxy(ProxyOptions{Socket: filepath.Join(t.TempDir(), "p.sock"), Upstream: "unix://" + eng.sock,
		RunDir: run, UID: os.Getuid(), GID: 4242 % 65536, InitBinary: "/host/covdocker", All: all})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p, eng, data
}

func create(t *testing.T, p *Proxy, body string) {
	t.Helper()
	resp, err := unixClient(p.opts.Socket).Post("http://docker/v1.41/containers/create?name=x", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %s", resp.Status)
	}
}

func TestProxyRewritesCreate(t *testing.T) {
	p, eng, data := startTestProxy(t, false)
	dir := filepath.Join(data, "docker", "aaaaaaaaaaaa")

	create(t, p, `{"Image":"hooked:1","Env":["A=1"],"HostConfig":{"Binds":["/x:/y"]},"Unknown":{"kept":true}}`)
	got := eng.last(t)
	want := map[string]any{
		"Image":      "hooked:1",
		"Env":        []any{"COVKIT_RUN=/.covkit", "A=1"},
		"Entrypoint": []any{ContainerInit, "init", "--", "/bin/sh", "-c", "python3 /app/x.py", "arg"},
		"Cmd":        []any{},
		"HostConfig": map[string]any{
			"Binds":    []any{"/x:/y", "/host/covdocker:" + ContainerInit + ":ro", dir + ":/.covkit", data + ":/.covkit-data"},
			"GroupAdd": []any{"4242"},
		},
		"Labels":  map[string]any{"covkit.data": dir},
		"Unknown": map[string]any{"kept": true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("create body (-want +got):\n%s", diff)
	}
	cfg, err := readKV(filepath.Join(dir, "run.cfg"))
	if err != nil {
		t.Fatal(err)
	}
	wantCfg := map[string]string{"data": "/.covkit-data", "owner": "0", "branch": "1", "rcfile": "/.covkit/rcfile", "sel": "default"}
	if diff := cmp.Diff(wantCfg, cfg); diff != "" {
		t.Errorf("container run.cfg (-want +got):\n%s", diff)
	}
	// The created container's hostname (its ID's first 12 digits) names
	// the image for the data files it writes.
	if b, err := os.ReadFile(filepath.Join(data, "docker", HostsDir, "c0ffee000000")); err != nil || string(b) != "aaaaaaaaaaaa\n" {
		t.Errorf("hostname record: %q, %v", b, err)
	}
	create(t, p, `{"Image":"hooked:1","Hostname":"web"}`)
	if b, err := os.ReadFile(filepath.Join(data, "docker", HostsDir, "web")); err != nil || string(b) != "aaaaaaaaaaaa\n" {
		t.Errorf("hostname record: %q, %v", b, err)
	}
	for _, d := range []string{dir, filepath.Join(dir, "log"), filepath.Join(data, "docker", HostsDir)} {
		fi, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode()&os.ModePerm != 0o770 || fi.Mode()&os.ModeSetgid == 0 {
			t.Errorf("%s: mode %v, want setgid 0770", d, fi.Mode())
		}
	}
	var side ImageInfo
	b, _ := os.ReadFile(filepath.Join(dir, SidecarName))
	if err := json.Unmarshal(b, &side); err != nil || side.ID != "sha256:aaaaaaaaaaaa1111" || side.Ref != "hooked:1" || len(side.Paths) != 1 {
		t.Errorf("sidecar %s: %v", b, err)
	}

	// The request's own entrypoint replaces the image's, and its Cmd stays.
	create(t, p, `{"Image":"hooked:1","Entrypoint":["python3"],"Cmd":["-c","1"]}`)
	if got := eng.last(t)["Entrypoint"]; !cmp.Equal(got, []any{ContainerInit, "init", "--", "python3", "-c", "1"}) {
		t.Errorf("entrypoint %v", got)
	}
	// A Cmd alone keeps the image's entrypoint.
	create(t, p, `{"Image":"hooked:1","Cmd":["other"]}`)
	if got := eng.last(t)["Entrypoint"]; !cmp.Equal(got, []any{ContainerInit, "init", "--", "/bin/sh", "-c", "python3 /app/x.py", "other"}) {
		t.Errorf("entrypoint %v", got)
	}
	// Docker's own --init is kept, without ours.
	create(t, p, `{"Image":"hooked:1","HostConfig":{"Init":true}}`)
	if got := eng.last(t); got["Entrypoint"] != nil || len(got["HostConfig"].(map[string]any)["Binds"].([]any)) != 2 {
		t.Errorf("with --init: %v", got)
	}
	// Images covdocker did not build pass untouched, byte for byte.
	body := `{"Image":"plain:1",  "Env":["A=1"]}`
	create(t, p, body)
	eng.mu.Lock()
	if string(eng.creates[len(eng.creates)-1]) != body {
		t.Errorf("plain image: body %s", eng.creates[len(eng.creates)-1])
	}
	eng.mu.Unlock()
	if p.Measured() != 5 {
		t.Errorf("measured %d containers, want 5", p.Measured())
	}
}

// TestProxyPassesTheTestContext: containers created by a client that a test
// started (the docker shim's proxy knows the test) get its id, so their
// lines are that test's; a container the request itself labels keeps its own.
func TestProxyPassesTheTestContext(t *testing.T) {
	p, eng, _ := startTestProxy(t, false)
	p.opts.Context = "tests/test_x.py::test_a|run"
	create(t, p, `{"Image":"hooked:1","Env":["A=1"]}`)
	want := []any{"COVKIT_RUN=/.covkit", "COVKIT_CONTEXT=tests/test_x.py::test_a|run", "A=1"}
	if got := eng.last(t)["Env"]; !cmp.Equal(got, want) {
		t.Errorf("env %v, want %v", got, want)
	}
	// Docker keeps the last of a repeated variable: the request's wins.
	create(t, p, `{"Image":"hooked:1","Env":["COVKIT_CONTEXT=mine"]}`)
	want = []any{"COVKIT_RUN=/.covkit", "COVKIT_CONTEXT=tests/test_x.py::test_a|run", "COVKIT_CONTEXT=mine"}
	if got := eng.last(t)["Env"]; !cmp.Equal(got, want) {
		t.Errorf("env %v, want %v", got, want)
	}
}

func TestProxyAllBootsThroughPythonpath(t *testing.T) {
	p, eng, data := startTestProxy(t, true)
	create(t, p, `{"Image":"plain:1"}`)
	got := eng.last(t)
	if !cmp.Equal(got["Env"], []any{"COVKIT_RUN=/.covkit", "PYTHONPATH=/.covkit/boot:/opt/lib"}) || got["Entrypoint"] != nil {
		t.Errorf("env %v entrypoint %v", got["Env"], got["Entrypoint"])
	}
	create(t, p, `{"Image":"plain:1","Env":["PYTHONPATH=/mine"]}`)
	if got := eng.last(t)["Env"]; !cmp.Equal(got, []any{"COVKIT_RUN=/.covkit", "PYTHONPATH=/.covkit/boot:/mine"}) {
		t.Errorf("env %v", got)
	}
	for _, f := range []string{"boot/sitecustomize.py", "boot/_covkit_bootstrap.py"} {
		if _, err := os.Stat(filepath.Join(data, "docker", "bbbbbbbbbbbb", f)); err != nil {
			t.Error(err)
		}
	}
}

func TestProxyHijack(t *testing.T) {
	p, _, _ := startTestProxy(t, false)
	conn, err := net.Dial("unix", p.opts.Socket)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "POST /containers/c0ffee/attach?stream=1 HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("attach: %s", resp.Status)
	}
	io.WriteString(conn, "hello")
	buf := make([]byte, 5)
	if _, err := io.ReadFull(br, buf); err != nil || string(buf) != "hello" {
		t.Errorf("echo: %q, %v", buf, err)
	}
}
