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

	"github.com/covkit/covkit/pth"
	"time"
)

// ContainerRunDir is where a measured container sees its per-image run
// directory (COVKIT_RUN): run.cfg, log/, and boot/ for images without the
// hook.
const ContainerRunDir = "/.covkit"

// ContainerDataDir is where a measured container sees the host run's data
// directory: container data files land beside the host's, named
// .coverage.<container hostname>.pid<N>.<random> by coverage.py, and the
// proxy records which image each hostname ran (HostsDir).
const ContainerDataDir = "/.covkit-data"

// SidecarName is the file, in each per-image directory, that records the
// image the data files under it came from (JSON ImageInfo).
const SidecarName = "covkit-image.json"

// ProxyOptions configures a Proxy.
type ProxyOptions struct {
	// Socket is the unix socket path to listen on.
	Socket string
	// Upstream is the real engine: "unix:///var/run/docker.sock",
	// "tcp://host:port"; empty: $DOCKER_HOST, else the default socket.
	Upstream string
	// RunDir is the host covkit run directory (pth.Run.Root, COVKIT_RUN).
	// Its run.cfg says where data goes and how to measure. The data
	// directory is mounted at ContainerDataDir; each image gets
	// <data>/docker/<image id 12>/, mounted at ContainerRunDir, with its own
	// run.cfg, log/ and a SidecarName file; each container's hostname is
	// recorded in <data>/docker/hosts/.
	RunDir string
	// UID and GID own the data; the container gets GID as a supplementary
	// group and the per-image directories are setgid GID, mode 2770, so a
	// container of any user can write and the host user can read, without a
	// world-writable directory.
	UID, GID int
	// NoInit keeps containers' PID 1 as the image has it. By default the
	// containers of covdocker images run under `covdocker init` (InitBinary
	// mounted at ContainerInit), which broadcasts docker stop's SIGTERM to
	// every process and waits for them, so Python saves its data even under
	// a shell entrypoint that does not forward signals. A container created
	// with Docker's own --init keeps it.
	NoInit bool
	// InitBinary is the static covdocker executable for that (default: this
	// executable); InitArgs its arguments before the command (default
	// ["init", "--"]).
	InitBinary string
	InitArgs   []string
	// All measures containers of images covdocker did not build too: their
	// interpreters get covkit's bootstrap through PYTHONPATH (a mounted
	// sitecustomize that chains to the image's) and need coverage.py of
	// their own; paths map by suffix matching only.
	All bool
	// Context is the test during which the client creating containers was
	// started (pth.EnvContext, covrun --contexts test): the containers get
	// it too, so the lines they run are that test's. "" adds nothing.
	Context string
	Logf    func(format string, args ...any)
}

// Proxy is a Docker Engine API proxy that adds covkit's run directory and
// activation environment to the containers it sees created.
type Proxy struct {
	opts     ProxyOptions
	cfg      map[string]string // the host run's run.cfg
	ln       net.Listener
	srv      *http.Server
	client   *http.Client
	mu       sync.Mutex
	measured int
}

// StartProxy starts serving on o.Socket.
func StartProxy(o ProxyOptions) (p *Proxy, err error) {
	if o.Upstream == "" {
		o.Upstream = os.Getenv("DOCKER_HOST")
	}
	if o.Upstream == "" {
		o.Upstream = "unix:///var/run/docker.sock"
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	if o.InitBinary == "" && !o.NoInit {
		if o.InitBinary, err = os.Executable(); err != nil {
			return nil, err
		}
	}
	if o.InitArgs == nil {
		o.InitArgs = []string{"init", "--"}
	}
	cfg, err := readKV(filepath.Join(o.RunDir, "run.cfg"))
	if err != nil {
		return nil, fmt.Errorf("covkit run %s: %w", o.RunDir, err)
	}
	if cfg["data"] == "" {
		return nil, fmt.Errorf("covkit run %s: run.cfg names no data directory", o.RunDir)
	}
	// Containers write into the run's data directory as whatever user their
	// image runs: through the run's group, never through write access for
	// everyone.
	if err := PrepareDataDir(cfg["data"], o.UID, o.GID); err != nil {
		return nil, fmt.Errorf("covkit run %s: %w", o.RunDir, err)
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
	p = &Proxy{opts: o, cfg: cfg, client: &http.Client{Transport: tr}}
	target := &url.URL{Scheme: "http", Host: "docker"}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Host = "docker"
			if r.In.Method == http.MethodPost && createPath.MatchString(r.In.URL.Path) {
				if c := p.rewriteCreate(r.Out); c != nil {
					r.Out = r.Out.WithContext(context.WithValue(r.Out.Context(), createdKey{}, c))
				}
			}
		},
		ModifyResponse: func(resp *http.Response) error {
			if c, ok := resp.Request.Context().Value(createdKey{}).(*created); ok && resp.StatusCode == http.StatusCreated {
				p.recordHost(resp, c)
			}
			return nil
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

type createdKey struct{}

// created is what the response to a rewritten create must complete: the
// container's hostname (its ID's first 12 digits unless the request set
// one) and the image it runs.
type created struct {
	hostname string
	image    string // short image ID
}

// rewriteCreate edits a container-create request in place. On any doubt it
// leaves the request as it was: covkit must never break a test's container.
func (p *Proxy) rewriteCreate(req *http.Request) *created {
	if req.Body == nil {
		return nil
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
		return nil
	}
	var cfg map[string]any
	if json.Unmarshal(body, &cfg) != nil {
		setBody(body)
		return nil
	}
	ref, _ := cfg["Image"].(string)
	info, err := p.image(req.Context(), ref)
	if err != nil || info == nil || (info.Covkit == "" && !p.opts.All) {
		if err != nil {
			p.opts.Logf("covdocker proxy: image %s: %v", ref, err)
		}
		setBody(body)
		return nil
	}
	hostname, _ := cfg["Hostname"].(string)
	nb, err := p.edit(cfg, info)
	if err != nil {
		p.opts.Logf("covdocker proxy: %v", err)
		setBody(body)
		return nil
	}
	p.mu.Lock()
	p.measured++
	p.mu.Unlock()
	setBody(nb)
	return &created{hostname: hostname, image: shortID(info.ID)}
}

// recordHost notes which image the created container's hostname ran, for
// FindContainerData to attribute the data files named after it.
func (p *Proxy) recordHost(resp *http.Response, c *created) {
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return
	}
	var r struct{ Id string }
	json.Unmarshal(body, &r)
	h := c.hostname
	if h == "" && len(r.Id) >= 12 {
		h = r.Id[:12]
	}
	if h == "" || strings.ContainsAny(h, "/\x00") || h == "." || h == ".." {
		return
	}
	dir := filepath.Join(p.cfg["data"], "docker", HostsDir)
	if err := PrepareDataDir(dir, p.opts.UID, p.opts.GID); err != nil {
		p.opts.Logf("covdocker proxy: %v", err)
		return
	}
	if err := os.WriteFile(filepath.Join(dir, h), []byte(c.image+"\n"), 0o644); err != nil {
		p.opts.Logf("covdocker proxy: %v", err)
	}
}

// HostsDir, under <data>/docker/, maps container hostnames to short image
// IDs: one file per hostname holding the ID.
const HostsDir = "hosts"

// Measured counts the containers the proxy turned covkit on in.
func (p *Proxy) Measured() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.measured
}

func (p *Proxy) edit(cfg map[string]any, info *ImageInfo) ([]byte, error) {
	hooked := info.Covkit != ""
	dir, err := p.imageDir(info, !hooked)
	if err != nil {
		return nil, err
	}
	env, _ := cfg["Env"].([]any)
	// Ours first: a variable the test sets itself wins (COVKIT_RUN=- turns
	// covkit off in that container).
	add := []any{pth.EnvRun + "=" + ContainerRunDir}
	if p.opts.Context != "" {
		add = append(add, pth.EnvContext+"="+p.opts.Context)
	}
	hc, _ := cfg["HostConfig"].(map[string]any)
	if hc == nil {
		hc = map[string]any{}
		cfg["HostConfig"] = hc
	}
	binds, _ := hc["Binds"].([]any)
	if init, _ := hc["Init"].(bool); hooked && !init && !p.opts.NoInit {
		// Entrypoint and Cmd as Docker would run them, behind our init.
		ep, epSet := strSlice(cfg["Entrypoint"])
		cmd, cmdSet := strSlice(cfg["Cmd"])
		if !epSet {
			ep = info.entrypoint
			if !cmdSet {
				cmd = info.cmd
			}
		}
		if len(ep) == 1 && ep[0] == "" {
			ep = nil
		}
		if len(ep)+len(cmd) > 0 {
			newEP := []any{ContainerInit}
			for _, a := range append(append(append([]string{}, p.opts.InitArgs...), ep...), cmd...) {
				newEP = append(newEP, a)
			}
			cfg["Entrypoint"] = newEP
			cfg["Cmd"] = []any{}
			binds = append(binds, p.opts.InitBinary+":"+ContainerInit+":ro")
		}
	}
	if !hooked {
		// Boot through PYTHONPATH, keeping the image's and the request's.
		pp := ContainerRunDir + "/boot"
		found := false
		for i, e := range env {
			if s, ok := e.(string); ok && strings.HasPrefix(s, "PYTHONPATH=") {
				env[i] = "PYTHONPATH=" + pp + ":" + strings.TrimPrefix(s, "PYTHONPATH=")
				found = true
			}
		}
		if !found {
			if v := info.env["PYTHONPATH"]; v != "" {
				pp += ":" + v
			}
			add = append(add, "PYTHONPATH="+pp)
		}
	}
	cfg["Env"] = append(add, env...)
	hc["Binds"] = append(binds, dir+":"+ContainerRunDir, p.cfg["data"]+":"+ContainerDataDir)
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

// imageDir makes (once per image) the per-image run directory: data/ and
// log/, a run.cfg for the container's bootstrap derived from the host
// run's, the sidecar, and with boot, the bootstrap files for PYTHONPATH.
func (p *Proxy) imageDir(info *ImageInfo, boot bool) (string, error) {
	dir := filepath.Join(p.cfg["data"], "docker", shortID(info.ID))
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, d := range []string{dir, filepath.Join(dir, "log"), filepath.Join(dir, "interp")} {
		if err := PrepareDataDir(d, p.opts.UID, p.opts.GID); err != nil {
			return "", err
		}
	}
	files := map[string][]byte{}
	if _, err := os.Stat(filepath.Join(dir, SidecarName)); err != nil {
		b, _ := jsonMarshal(info)
		files[SidecarName] = append(b, '\n')
	}
	if _, err := os.Stat(filepath.Join(dir, "run.cfg")); err != nil {
		// The container cannot see the host's pid: no owner check
		// (detached); data and config live under the mount.
		c := map[string]string{"data": ContainerDataDir, "owner": "0"}
		for _, k := range []string{"branch", "contexts", "checkpoint", "engine", "coverage", "rules", "omit_dirs"} {
			if v := p.cfg[k]; v != "" {
				c[k] = v
			}
		}
		// Host source directories mean nothing in the container: its lean
		// processes leave out only the image's own Python installation, and
		// the run's selection is applied to host paths after the merge.
		c["sel"] = "default"
		if rc := p.cfg["rcfile"]; rc != "" {
			if b, err := os.ReadFile(rc); err == nil {
				files["rcfile"] = b
				c["rcfile"] = ContainerRunDir + "/rcfile"
			}
		}
		files["run.cfg"] = formatKV(c)
	}
	if boot {
		for name, b := range pth.BootFiles() {
			files["boot/"+name] = b
		}
	}
	for _, name := range sortedKeys(files) {
		t := filepath.Join(dir, filepath.FromSlash(name))
		if err := writeFile(t, files[name], 0o644); err != nil {
			return "", err
		}
		if os.Getuid() == 0 {
			os.Lchown(t, p.opts.UID, p.opts.GID)
		}
	}
	return dir, nil
}

// RunGroup is the group a run's containers write their data through (see
// pth.Run.Group), for the run directory runDir.
func RunGroup(runDir string) int { return (&pth.Run{Root: runDir}).Group() }

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

func readKV(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			m[strings.TrimSpace(k)] = v
		}
	}
	return m, nil
}

func formatKV(m map[string]string) []byte {
	var b strings.Builder
	for _, k := range sortedKeys(m) {
		fmt.Fprintf(&b, "%s=%s\n", k, m[k])
	}
	return []byte(b.String())
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
		Config struct {
			Labels     map[string]string
			Env        []string
			Entrypoint []string
			Cmd        []string
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&ii); err != nil {
		return nil, err
	}
	i, err := ImageInfoFromLabels(ii.Id, ref, ii.Config.Labels)
	if err != nil {
		return nil, err
	}
	i.entrypoint, i.cmd = ii.Config.Entrypoint, ii.Config.Cmd
	i.env = map[string]string{}
	for _, kv := range ii.Config.Env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			i.env[k] = v
		}
	}
	return &i, nil
}

// strSlice reads an Engine API string-or-array field; set is false when it
// is absent or null (the image's value applies).
func strSlice(v any) (out []string, set bool) {
	switch x := v.(type) {
	case string:
		return []string{"/bin/sh", "-c", x}, true
	case []any:
		for _, e := range x {
			s, _ := e.(string)
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}
