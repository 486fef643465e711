package dockerkit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ContainerDataDir is where a measured container sees its data directory.
const ContainerDataDir = "/.covkit/data"

// SidecarName is the file, in each per-image data directory, that records
// the image the data files beside it came from (JSON ImageInfo).
const SidecarName = "covkit-image.json"

// ProxyOptions configures a Proxy.
type ProxyOptions struct {
	// Socket is the unix socket path to listen on.
	Socket string
	// Upstream is the real engine: "unix:///var/run/docker.sock",
	// "tcp://host:port"; empty: $DOCKER_HOST, else the default socket.
	Upstream string
	// DataDir is the host directory container data goes to: each image gets
	// DataDir/docker/<image id 12>/ with a SidecarName file.
	DataDir string
	// Activation is the environment that turns the hook on (NAME=VALUE).
	// Values under ActivationDir (a host path) are rewritten to the
	// container's mount of its per-image data directory.
	Activation    []string
	ActivationDir string
	// UID and GID own the data; the container gets GID as a supplementary
	// group and the per-image directory is setgid GID, mode 2770, so a
	// container of any user can write and the host user can read, without a
	// world-writable directory.
	UID, GID int
	// NoInit keeps containers' PID 1 as the image has it. By default covkit
	// asks for Docker's init (tini) with TINI_KILL_PROCESS_GROUP=1, so a
	// `docker stop` reaches Python even under a shell entrypoint that does
	// not forward signals.
	NoInit bool
	// All measures containers of images covdocker did not build too (they
	// still need covkit's hook and coverage.py in the image to be measured).
	All  bool
	Logf func(format string, args ...any)
}

// Proxy is a Docker Engine API proxy that adds covkit's data volume and
// activation environment to the containers it sees created.
type Proxy struct {
	opts     ProxyOptions
	ln       net.Listener
	srv      *http.Server
	client   *http.Client
	mu       sync.Mutex
	Measured int // containers rewritten (read after Close)
}

// StartProxy starts serving on o.Socket.
func StartProxy(o ProxyOptions) (*Proxy, error) {
	if o.Upstream == "" {
		o.Upstream = os.Getenv("DOCKER_HOST")
	}
	if o.Upstream == "" {
		o.Upstream = "unix:///var/run/docker.sock"
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	u, err := url.Parse(o.Upstream)
	if err != nil {
		return nil, fmt.Errorf("docker upstream %q: %w", o.Upstream, err)
	}
	var dial func(ctx context.Context, _, _ string) (net.Conn, error)
	switch u.Scheme {
	case "unix":
		sock := u.Path
		dial = func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		}
	case "tcp", "http":
		host := u.Host
		dial = func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "tcp", host)
		}
	default:
		return nil, fmt.Errorf("docker upstream %q: only unix:// and tcp:// are supported", o.Upstream)
	}
	tr := &http.Transport{DialContext: dial, MaxIdleConns: 8, IdleConnTimeout: 30 * time.Second}
	p := &Proxy{opts: o, client: &http.Client{Transport: tr}}
	target := &url.URL{Scheme: "http", Host: "docker"}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Host = "docker"
			if r.In.Method == http.MethodPost && createPath.MatchString(r.In.URL.Path) {
				p.rewriteCreate(r.Out)
			}
		},
		Transport:     tr,
		FlushInterval: -1,
		ErrorLog:      nil,
	}
	os.Remove(o.Socket)
	ln, err := net.Listen("unix", o.Socket)
	if err != nil {
		return nil, err
	}
	os.Chmod(o.Socket, 0o660)
	p.ln = ln
	p.srv = &http.Server{Handler: rp}
	go p.srv.Serve(ln)
	return p, nil
}

// DockerHost is the DOCKER_HOST value that reaches the proxy.
func (p *Proxy) DockerHost() string { return "unix://" + p.opts.Socket }

// Close stops listening; hijacked streams already under way go on.
func (p *Proxy) Close() error {
	err := p.srv.Close()
	os.Remove(p.opts.Socket)
	return err
}

var createPath = regexp.MustCompile(`^(/v[0-9.]+)?/containers/create$`)

// rewriteCreate edits a container-create request in place. On any doubt it
// leaves the request as it was: covkit must never break a test's container.
func (p *Proxy) rewriteCreate(req *http.Request) {
	if req.Body == nil {
		return
	}
	body, err := io.ReadAll(req.Body)
	req.Body.Close()
	setBody := func(b []byte) {
		req.Body = io.NopCloser(bytes.NewReader(b))
		req.ContentLength = int64(len(b))
		req.Header.Set("Content-Length", strconv.Itoa(len(b)))
		req.TransferEncoding = nil
		req.Header.Del("Transfer-Encoding")
	}
	if err != nil {
		setBody(body)
		return
	}
	var cfg map[string]any
	if json.Unmarshal(body, &cfg) != nil {
		setBody(body)
		return
	}
	ref, _ := cfg["Image"].(string)
	info, err := p.image(req.Context(), ref)
	if err != nil || info == nil || (info.Covkit == "" && !p.opts.All) {
		if err != nil {
			p.opts.Logf("covdocker proxy: image %s: %v", ref, err)
		}
		setBody(body)
		return
	}
	nb, err := p.edit(cfg, info)
	if err != nil {
		p.opts.Logf("covdocker proxy: %v", err)
		setBody(body)
		return
	}
	p.mu.Lock()
	p.Measured++
	p.mu.Unlock()
	setBody(nb)
}

func (p *Proxy) edit(cfg map[string]any, info *ImageInfo) ([]byte, error) {
	dir, err := p.imageDir(info)
	if err != nil {
		return nil, err
	}
	env, _ := cfg["Env"].([]any)
	// Ours first: a variable the test sets itself wins.
	var add []any
	for _, kv := range ContainerActivation(p.opts.Activation, p.opts.ActivationDir) {
		add = append(add, kv)
	}
	hc, _ := cfg["HostConfig"].(map[string]any)
	if hc == nil {
		hc = map[string]any{}
		cfg["HostConfig"] = hc
	}
	if init, ok := hc["Init"]; (!ok || init == nil) && !p.opts.NoInit {
		hc["Init"] = true
		add = append(add, "TINI_KILL_PROCESS_GROUP=1")
	}
	cfg["Env"] = append(add, env...)
	binds, _ := hc["Binds"].([]any)
	hc["Binds"] = append(binds, dir+":"+ContainerDataDir)
	groups, _ := hc["GroupAdd"].([]any)
	hc["GroupAdd"] = append(groups, strconv.Itoa(p.opts.GID))
	labels, _ := cfg["Labels"].(map[string]any)
	if labels == nil {
		labels = map[string]any{}
		cfg["Labels"] = labels
	}
	labels["covkit.data"] = dir
	return json.Marshal(cfg)
}

// ContainerActivation rewrites a host activation environment for a
// container: values that are hostDir or under it point into
// ContainerDataDir instead.
func ContainerActivation(env []string, hostDir string) []string {
	var out []string
	hostDir = filepath.Clean(hostDir)
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		if hostDir != "." && hostDir != "" {
			if rest, ok := underPath(filepath.Clean(v), hostDir); ok {
				v = ContainerDataDir
				if rest != "" {
					v += "/" + rest
				}
			}
		}
		out = append(out, k+"="+v)
	}
	return out
}

// imageDir makes (once) the per-image data directory and its sidecar.
func (p *Proxy) imageDir(info *ImageInfo) (string, error) {
	dir := filepath.Join(p.opts.DataDir, "docker", shortID(info.ID))
	if err := PrepareDataDir(dir, p.opts.UID, p.opts.GID); err != nil {
		return "", err
	}
	side := filepath.Join(dir, SidecarName)
	if _, err := os.Stat(side); err != nil {
		b, _ := json.MarshalIndent(info, "", "  ")
		if err := os.WriteFile(side, append(b, '\n'), 0o644); err != nil {
			return "", err
		}
		os.Lchown(side, p.opts.UID, p.opts.GID)
	}
	return dir, nil
}

// PrepareDataDir makes dir (and missing parents) owned by uid:gid, mode
// 2770: group-writable for containers given gid as a supplementary group,
// setgid so their files carry gid, never world-writable.
func PrepareDataDir(dir string, uid, gid int) error {
	if err := os.MkdirAll(dir, 0o770); err != nil {
		return err
	}
	if os.Getuid() == 0 {
		if err := os.Chown(dir, uid, gid); err != nil {
			return err
		}
	}
	return os.Chmod(dir, os.ModeSetgid|0o770)
}

// image inspects ref through the upstream engine, every time: a tag may be
// rebuilt during a run.
func (p *Proxy) image(ctx context.Context, ref string) (*ImageInfo, error) {
	if ref == "" {
		return nil, nil
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://docker/images/"+url.PathEscape(ref)+"/json", nil)
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil, nil // docker will pull and create again
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("inspect: %s", resp.Status)
	}
	var ii struct {
		Id     string
		Config struct{ Labels map[string]string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&ii); err != nil {
		return nil, err
	}
	i, err := ImageInfoFromLabels(ii.Id, ref, ii.Config.Labels)
	if err != nil {
		return nil, err
	}
	return &i, nil
}
