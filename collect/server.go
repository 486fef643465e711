// Package collect is the collector of a covkit run: an HTTP server that
// measured processes on other hosts (pods, remote Docker hosts, compose
// stacks elsewhere) push their data files to, because no directory is
// shared with them.
//
// Every request carries the run's bearer token (compared in constant
// time); without it the request is refused with 401 and counted. A push's
// body is an envelope (see Push) around one data file, covkit's lean format
// or coverage.py's SQLite file, checked before it is kept. The collector
// names what it writes itself, from a hash of what identifies the sending
// process: nothing a client sends becomes a path. Each file is written
// atomically (a temporary file renamed into place), and a later push of the
// same process's file replaces it (latest wins; an older one arriving late
// is dropped), so a process can send its whole file at every checkpoint.
//
// Before covrun reports, Flush asks every live client to push now (the
// clients long-poll /v1/wait; a push's response carries the flush
// generation too) and waits a bounded time for their answers.
//
// The data files land in the run's data directory in the layout
// dockerkit.Remap reads for containers: each process's files under a host
// name of the collector's choosing, registered under docker/hosts with the
// image it ran (the path mapping the client sent: covdocker's labels), so
// the merge maps them to host paths as it does for local containers.
package collect

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/covkit/covkit/dockerkit"
	"github.com/covkit/covkit/internal/outfile"
	"github.com/covkit/covkit/leancov"
)

// Environment variables.
const (
	// EnvAddr and EnvToken are what covrun gives the command it runs: the
	// collector's bound address and the run's token.
	EnvAddr  = "COVKIT_COLLECT_ADDR"
	EnvToken = "COVKIT_COLLECT_TOKEN"
	// EnvClientURL and EnvClientToken turn the client on in a measured
	// process (the bootstrap's _covkit_remote): http(s)://HOST:PORT and the
	// token.
	EnvClientURL   = "COVKIT_COLLECT"
	EnvClientToken = "COVKIT_TOKEN"
)

// Defaults.
const (
	DefaultMaxBytes   = 64 << 20
	DefaultMaxFiles   = 100000
	DefaultLiveWindow = 75 * time.Second
	maxWait           = 55 * time.Second
)

// Options configure a collector.
type Options struct {
	Addr    string // listen address: ":7777", "127.0.0.1:0"
	DataDir string // the run's data directory
	Token   string // "": a fresh one (Server.Token)
	// TLS, when set, serves HTTPS.
	TLS *tls.Config
	// MaxBytes limits one push's body (default DefaultMaxBytes).
	MaxBytes int64
	// MaxFiles limits the data files a run keeps (default DefaultMaxFiles).
	MaxFiles int
	// LiveWindow: a client heard from within it counts as live, and a flush
	// waits for it (default DefaultLiveWindow; clients long-poll at least
	// every minute).
	LiveWindow time.Duration
	// Now is the clock (tests).
	Now func() time.Time
}

// Server is a running collector.
type Server struct {
	o     Options
	token [32]byte // sha256 of the token: equal lengths for the comparison
	tok   string
	ln    net.Listener
	srv   *http.Server

	mu        sync.Mutex
	gen       uint64        // flush generation
	genCh     chan struct{} // closed when gen changes
	ackCh     chan struct{} // closed when a client answers a flush
	done      chan struct{} // closed by Close
	clients   map[string]*client
	files     map[string]*stored // by process and file
	images    map[string]bool    // image keys registered
	stats     Stats
	refusedBy map[string]bool
	closeOnce sync.Once
}

type client struct {
	host, instance string
	pid            int
	seen           time.Time
	acked          uint64 // highest flush generation answered
	final          bool
	pushes         int
	polls          int  // long-polls open now
	gone           bool // its last long-poll was dropped by its end (killed?), and nothing since
}

type stored struct {
	name string // base name in the data directory
	seq  uint64
}

// Stats count what the collector saw.
type Stats struct {
	Files     int      // data files kept (a process's file once, however often pushed)
	Pushes    int      // pushes of data accepted
	Stale     int      // pushes older than what was kept already
	Processes int      // processes that pushed data
	Refused   int      // requests without the run's token
	Rejected  int      // malformed, unusable or too large pushes
	RefusedBy []string // remote addresses (IPs) of refused requests, sorted
	Hosts     []string // host names that pushed data, sorted
}

// Start listens on o.Addr and serves until Close.
func Start(o Options) (*Server, error) {
	if o.DataDir == "" {
		return nil, errors.New("collector: no data directory")
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxFiles <= 0 {
		o.MaxFiles = DefaultMaxFiles
	}
	if o.LiveWindow <= 0 {
		o.LiveWindow = DefaultLiveWindow
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Token == "" {
		b := make([]byte, 24)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		o.Token = hex.EncodeToString(b)
	}
	s := &Server{
		o: o, tok: o.Token, token: sha256.Sum256([]byte(o.Token)),
		genCh: make(chan struct{}), ackCh: make(chan struct{}), done: make(chan struct{}), clients: map[string]*client{},
		files: map[string]*stored{}, images: map[string]bool{}, refusedBy: map[string]bool{},
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return nil, fmt.Errorf("collector: %w", err)
	}
	if o.TLS != nil {
		ln = tls.NewListener(ln, o.TLS)
	}
	s.ln = ln
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/push", s.handlePush)
	mux.HandleFunc("GET /v1/wait", s.handleWait)
	s.srv = &http.Server{
		Handler:           s.authorize(mux),
		ReadHeaderTimeout: 10 * time.Second,
		// A push that trickles in, or a client that never reads, does not
		// hold a connection for ever (long-polls answer within a minute).
		ReadTimeout:  2 * time.Minute,
		WriteTimeout: 2 * time.Minute,
		IdleTimeout:  2 * time.Minute,
		// A client's TLS or protocol mistakes are its own: never covrun's
		// output.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	go s.srv.Serve(ln)
	return s, nil
}

// Addr is the bound address ("[::]:7777", "127.0.0.1:40123").
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Token is the run's bearer token.
func (s *Server) Token() string { return s.tok }

// Environ is what the run's command gets: EnvAddr and EnvToken.
func (s *Server) Environ() []string {
	return []string{EnvAddr + "=" + s.Addr(), EnvToken + "=" + s.tok}
}

// Close stops serving: requests under way get a moment to finish (a push
// being written is kept), long-polls end at once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { close(s.done) }) // ends the long-polls
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = s.srv.Close()
	}
	return err
}

// Stats returns the counts so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.RefusedBy = sortedKeys(s.refusedBy)
	hosts := map[string]bool{}
	n := 0
	for _, c := range s.clients {
		if c.pushes > 0 {
			n++
			hosts[c.host] = true
		}
	}
	st.Processes, st.Hosts, st.Files = n, sortedKeys(hosts), len(s.files)
	return st
}

func (s *Server) authorize(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		got := sha256.Sum256([]byte(tok))
		if subtle.ConstantTimeCompare(got[:], s.token[:]) != 1 || !ok {
			s.mu.Lock()
			s.stats.Refused++
			if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil && len(s.refusedBy) < 100 {
				s.refusedBy[host] = true
			}
			s.mu.Unlock()
			w.Header().Set("WWW-Authenticate", `Bearer realm="covkit"`)
			http.Error(w, "covkit collector: not this run's token", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

type reply struct {
	Flush  uint64 `json:"flush"`
	Stored bool   `json:"stored,omitempty"`
}

func (s *Server) handlePush(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.o.MaxBytes))
	if err != nil {
		s.reject()
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			http.Error(w, fmt.Sprintf("push over %d bytes", s.o.MaxBytes), http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "reading push: "+err.Error(), http.StatusBadRequest)
		return
	}
	p, err := ParsePush(body)
	if err == nil && p.Data != nil {
		err = checkData(p.Data)
	}
	if err != nil {
		s.reject()
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	kept, err := s.accept(p)
	if err != nil {
		s.reject()
		http.Error(w, err.Error(), http.StatusInsufficientStorage)
		return
	}
	s.mu.Lock()
	gen := s.gen
	s.mu.Unlock()
	writeJSON(w, reply{Flush: gen, Stored: kept})
}

func (s *Server) reject() {
	s.mu.Lock()
	s.stats.Rejected++
	s.mu.Unlock()
}

// checkData accepts covkit's lean format and coverage.py's SQLite files.
func checkData(b []byte) error {
	switch {
	case leancov.IsLean(b):
		if _, err := leancov.Decode(b); err != nil {
			return err
		}
		return nil
	case len(b) >= 100 && string(b[:16]) == "SQLite format 3\x00":
		return nil
	}
	return errors.New("data is neither covkit lean data nor a coverage.py SQLite file")
}

// accept records the push and keeps its data (if newer than what is kept).
func (s *Server) accept(p *Push) (bool, error) {
	ckey := p.Host + "\x00" + p.Instance
	s.mu.Lock()
	c := s.clients[ckey]
	if c == nil {
		if len(s.clients) >= s.o.MaxFiles {
			s.mu.Unlock()
			return false, fmt.Errorf("the run takes at most %d clients", s.o.MaxFiles)
		}
		c = &client{host: p.Host, instance: p.Instance, pid: p.PID}
		s.clients[ckey] = c
	}
	c.seen, c.gone = s.o.Now(), false
	if p.Data == nil {
		s.ackLocked(c, p)
		s.mu.Unlock()
		return false, nil
	}
	fkey := ckey + "\x00" + p.File
	f := s.files[fkey]
	if f != nil && p.Seq <= f.seq {
		s.stats.Stale++
		s.ackLocked(c, p)
		s.mu.Unlock()
		return false, nil
	}
	if f == nil {
		if len(s.files) >= s.o.MaxFiles {
			s.mu.Unlock()
			return false, fmt.Errorf("the run keeps at most %d pushed files", s.o.MaxFiles)
		}
		f = &stored{name: storedName(fkey, p)}
		s.files[fkey] = f
	}
	f.seq = p.Seq
	// Writing under the lock keeps the latest push the one on disk; pushes
	// are small and checkpoints seconds apart.
	err := s.write(f.name, p)
	if err == nil {
		s.stats.Pushes++
		c.pushes++
		s.ackLocked(c, p)
	}
	s.mu.Unlock()
	return err == nil, err
}

func (s *Server) ackLocked(c *client, p *Push) {
	if p.Flush > c.acked {
		c.acked = p.Flush
	}
	if p.Final {
		c.final = true
	}
	if p.Flush > 0 || p.Final {
		s.wakeFlushLocked() // a flush may be waiting for this answer
	}
}

// storedName is the data file's name in the run: covkit's own, from a hash
// of the process and file, in the form dockerkit attributes to an image by
// its "host" part.
func storedName(fkey string, p *Push) string {
	sum := sha256.Sum256([]byte(fkey))
	prefix := ".coverage."
	if leancov.IsLean(p.Data) {
		prefix = leancov.FilePrefix
	}
	return fmt.Sprintf("%s%s.pid%d.X%sx", prefix, remoteHost(sum[:]), p.PID, hex.EncodeToString(sum[8:12]))
}

func remoteHost(sum []byte) string { return "remote-" + hex.EncodeToString(sum[:8]) }

// write puts the data file in place atomically, and registers its host
// name and image for dockerkit.Remap.
func (s *Server) write(name string, p *Push) error {
	host := name[len(prefixOf(name)):]
	host = host[:len(host)-len(filepath.Ext(host))] // drop ".X...x"
	host = host[:len(host)-len(filepath.Ext(host))] // drop ".pidN"
	if err := s.registerImage(host, p.Image); err != nil {
		return err
	}
	return writeAtomic(filepath.Join(s.o.DataDir, name), p.Data)
}

func prefixOf(name string) string {
	if len(name) >= len(leancov.FilePrefix) && name[:len(leancov.FilePrefix)] == leancov.FilePrefix {
		return leancov.FilePrefix
	}
	return ".coverage."
}

// imageInfo is what a client says of its image: covdocker's labels.
type imageInfo struct {
	Context string                  `json:"context,omitempty"`
	Paths   []dockerkit.PathMapping `json:"paths,omitempty"`
	Ref     string                  `json:"ref,omitempty"`
}

func (s *Server) registerImage(host string, raw []byte) error {
	var im imageInfo
	if len(raw) > 0 && json.Unmarshal(raw, &im) != nil {
		im = imageInfo{} // an unreadable mapping: suffix matching only
	}
	norm, _ := json.Marshal(im)
	sum := sha256.Sum256(norm)
	key := remoteHost(sum[:])
	docker := filepath.Join(s.o.DataDir, "docker")
	if !s.images[key] {
		info := dockerkit.ImageInfo{ID: key, Ref: im.Ref, Context: im.Context, Paths: im.Paths, Covkit: "remote"}
		b, _ := json.MarshalIndent(info, "", "  ")
		if err := os.MkdirAll(filepath.Join(docker, key), 0o700); err != nil {
			return err
		}
		if err := writeAtomic(filepath.Join(docker, key, dockerkit.SidecarName), append(b, '\n')); err != nil {
			return err
		}
		s.images[key] = true
	}
	hosts := filepath.Join(docker, dockerkit.HostsDir)
	if err := os.MkdirAll(hosts, 0o700); err != nil {
		return err
	}
	return writeAtomic(filepath.Join(hosts, host), []byte(key+"\n"))
}

func writeAtomic(path string, b []byte) error {
	return outfile.Replace(path, ".push-", b)
}

// handleWait is the clients' long-poll: it answers at once when a flush
// newer than ?gen= is asked for, else when one is, or after ?t= seconds.
func (s *Server) handleWait(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	since, _ := strconv.ParseUint(q.Get("gen"), 10, 63)
	t, _ := strconv.ParseFloat(q.Get("t"), 64)
	d := min(time.Duration(t*float64(time.Second)), maxWait)
	host, inst := q.Get("host"), q.Get("instance")
	pid, _ := strconv.Atoi(q.Get("pid"))
	if _, err := text(host); err != nil || len(inst) == 0 {
		http.Error(w, "wait: bad host or instance", http.StatusBadRequest)
		return
	}
	if _, err := text(inst); err != nil {
		http.Error(w, "wait: bad instance", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	c := s.clients[host+"\x00"+inst]
	if c == nil {
		if len(s.clients) >= s.o.MaxFiles {
			s.mu.Unlock()
			http.Error(w, "too many clients", http.StatusServiceUnavailable)
			return
		}
		c = &client{host: host, instance: inst, pid: pid}
		s.clients[host+"\x00"+inst] = c
	}
	c.seen, c.gone = s.o.Now(), false
	gen, ch := s.gen, s.genCh
	// A generation ahead of ours is another collector's (restarted):
	// answered at once, the client starts again from ours.
	polling := gen == since && d > 0
	if polling {
		c.polls++
	}
	s.mu.Unlock()
	if polling {
		timer := time.NewTimer(d)
		dropped := false
		select {
		case <-ch:
		case <-timer.C:
		case <-s.done:
		case <-r.Context().Done():
			// The client closed the connection of a poll it was waiting
			// on: a live client never does; a killed one does (its
			// kernel closes the socket).
			dropped = true
		}
		timer.Stop()
		s.mu.Lock()
		gen = s.gen
		c.seen = s.o.Now()
		if dropped && c.polls == 1 {
			c.gone = true
			s.wakeFlushLocked()
		}
		c.polls--
		s.mu.Unlock()
		if dropped {
			return
		}
	}
	writeJSON(w, reply{Flush: gen})
}

func (s *Server) wakeFlushLocked() {
	close(s.ackCh)
	s.ackCh = make(chan struct{})
}

// bumpLocked starts a new flush generation and wakes the long-polls.
func (s *Server) bumpLocked() uint64 {
	s.gen++
	close(s.genCh)
	s.genCh = make(chan struct{})
	return s.gen
}

// FlushResult says how a flush went.
type FlushResult struct {
	Asked    int      // live clients asked
	Answered int      // of them, those that answered in time
	Silent   []string // "host pid N" of those that did not answer in time, sorted
	Gone     []string // of those that went away without a final push (killed?), sorted
}

// Flush asks every live client to push its data now and waits until they
// all have answered (or exited), ctx ends, or wait has passed.
func (s *Server) Flush(ctx context.Context, wait time.Duration) FlushResult {
	s.mu.Lock()
	gen := s.bumpLocked()
	now := s.o.Now()
	var live []*client
	for _, c := range s.clients {
		if !c.final && !c.gone && (c.polls > 0 || now.Sub(c.seen) <= s.o.LiveWindow) {
			live = append(live, c)
		}
	}
	s.mu.Unlock()
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		var silent, gone []string
		for _, c := range live {
			switch {
			case c.acked >= gen || c.final:
			case c.gone:
				gone = append(gone, c.name())
			default:
				silent = append(silent, c.name())
			}
		}
		ch := s.ackCh
		s.mu.Unlock()
		sort.Strings(gone)
		res := FlushResult{Asked: len(live), Answered: len(live) - len(silent) - len(gone), Silent: silent, Gone: gone}
		if len(silent) == 0 {
			return res
		}
		select {
		case <-ch:
		case <-deadline.C:
			sort.Strings(res.Silent)
			return res
		case <-ctx.Done():
			sort.Strings(res.Silent)
			return res
		}
	}
}

func (c *client) name() string {
	if c.pid > 0 {
		return fmt.Sprintf("%s pid %d", c.host, c.pid)
	}
	return c.host
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
