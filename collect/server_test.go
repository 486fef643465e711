package collect

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/covkit/covkit/dockerkit"
	"github.com/covkit/covkit/leancov"
)

func leanData(t testing.TB, path string, lines ...int) []byte {
	t.Helper()
	return leancov.Encode(&leancov.File{
		Header: map[string]string{"python": "3.13.1", "pid": "7"},
		Files:  []leancov.Measured{{Path: path, Lines: map[string][]int{"": lines}}},
	})
}

func startServer(t *testing.T, o Options) *Server {
	t.Helper()
	if o.DataDir == "" {
		o.DataDir = t.TempDir()
	}
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	s, err := Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func post(t *testing.T, s *Server, token string, body []byte) (int, reply) {
	t.Helper()
	req, _ := http.NewRequest("POST", "http://"+s.Addr()+"/v1/push", bytes.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r reply
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatalf("reply %q: %v", b, err)
		}
	}
	return resp.StatusCode, r
}

// dataFiles lists the data directory's data files (what a merge reads).
func dataFiles(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".covkit.") || strings.HasPrefix(e.Name(), ".coverage.") {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}

func TestPushStoresUnderItsOwnName(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, Options{DataDir: dir})
	image := []byte(`{"context":"/src/app","paths":[{"container":"/app","host":"."}]}`)
	p := &Push{Host: "web-1", Instance: "abc", PID: 12, File: "../../../etc/cron.d/x", Seq: 1, Image: image, Data: leanData(t, "/app/m.py", 1, 2)}
	if code, r := post(t, s, s.Token(), p.Encode()); code != 200 || !r.Stored {
		t.Fatalf("push: %d %+v", code, r)
	}
	files := dataFiles(t, dir)
	if len(files) != 1 || !strings.HasPrefix(files[0], ".covkit.remote-") || strings.Contains(files[0], "cron") {
		t.Fatalf("data files %v", files)
	}
	// What dockerkit.Remap reads: the file's host name, registered with the image.
	cds, err := dockerkit.FindContainerData(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(cds) != 1 || len(cds[0].Files) != 1 || cds[0].Image.Context != "/src/app" || len(cds[0].Image.Paths) != 1 {
		t.Fatalf("container data %+v", cds)
	}
	b, _ := os.ReadFile(filepath.Join(dir, files[0]))
	f, err := leancov.Decode(b)
	if err != nil || f.Files[0].Path != "/app/m.py" {
		t.Fatalf("stored data: %v %+v", err, f)
	}
	if st := s.Stats(); st.Pushes != 1 || st.Processes != 1 || len(st.Hosts) != 1 || st.Hosts[0] != "web-1" {
		t.Fatalf("stats %+v", st)
	}
}

func TestLatestPushWins(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, Options{DataDir: dir})
	push := func(seq uint64, lines ...int) {
		p := &Push{Host: "h", Instance: "i", PID: 3, File: "f", Seq: seq, Data: leanData(t, "/app/m.py", lines...)}
		if code, _ := post(t, s, s.Token(), p.Encode()); code != 200 {
			t.Fatalf("push %d: %d", seq, code)
		}
	}
	push(1, 1)
	push(3, 1, 2, 3)
	push(2, 1, 2) // late: an older checkpoint
	files := dataFiles(t, dir)
	if len(files) != 1 {
		t.Fatalf("files %v", files)
	}
	b, _ := os.ReadFile(filepath.Join(dir, files[0]))
	f, _ := leancov.Decode(b)
	if got := f.Files[0].Lines[""]; len(got) != 3 {
		t.Fatalf("kept lines %v, want the latest push's 1-3", got)
	}
	// Another process (a restarted pod: same host, new instance) is kept beside it.
	p := &Push{Host: "h", Instance: "j", PID: 3, File: "f", Seq: 1, Data: leanData(t, "/app/m.py", 9)}
	post(t, s, s.Token(), p.Encode())
	if files := dataFiles(t, dir); len(files) != 2 {
		t.Fatalf("files %v", files)
	}
	if st := s.Stats(); st.Stale != 1 || st.Pushes != 3 {
		t.Fatalf("stats %+v", st)
	}
}

func TestRefusals(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, Options{DataDir: dir, MaxBytes: 4096})
	good := func() *Push {
		return &Push{Host: "h", Instance: "i", PID: 1, File: "f", Seq: 1, Data: leanData(t, "/app/m.py", 1)}
	}
	sqliteLike := append([]byte("SQLite format 3\x00"), make([]byte, 200)...)
	tests := []struct {
		name  string
		token string
		body  []byte
		want  int
	}{
		{"no token", "", good().Encode(), 401},
		{"wrong token", "x" + s.Token(), good().Encode(), 401},
		{"token prefix", s.Token()[:10], good().Encode(), 401},
		{"garbage", s.Token(), []byte("hello"), 400},
		{"not data", s.Token(), (&Push{Instance: "i", File: "f", Data: []byte("#!/bin/sh\nrm -rf /\n")}).Encode(), 400},
		{"truncated lean", s.Token(), (&Push{Instance: "i", File: "f", Data: []byte(leancov.Magic + "\x40\x00")}).Encode(), 400},
		{"too large", s.Token(), (&Push{Instance: "i", File: "f", Data: append(sqliteLike, make([]byte, 8192)...)}).Encode(), 413},
		{"newline in host", s.Token(), []byte("covkit-push 1\nhost=a\rb\ninstance=i\n\n"), 400},
		{"no instance", s.Token(), []byte("covkit-push 1\nhost=a\n\n"), 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, _ := post(t, s, tt.token, tt.body); code != tt.want {
				t.Fatalf("status %d, want %d", code, tt.want)
			}
		})
	}
	if files := dataFiles(t, dir); len(files) != 0 {
		t.Fatalf("refused pushes left files: %v", files)
	}
	st := s.Stats()
	if st.Refused != 3 || len(st.RefusedBy) != 1 || st.RefusedBy[0] != "127.0.0.1" || st.Rejected != 6 || st.Pushes != 0 {
		t.Fatalf("stats %+v", st)
	}
	// The wait endpoint wants the token too.
	resp, err := http.Get("http://" + s.Addr() + "/v1/wait?host=h&instance=i")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("wait without token: %d", resp.StatusCode)
	}
}

func TestSQLiteKeptAsCoverageFile(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, Options{DataDir: dir})
	data := append([]byte("SQLite format 3\x00"), make([]byte, 200)...)
	p := &Push{Host: "h", Instance: "i", PID: 5, File: ".coverage.h.pid5.X1", Seq: 1, Data: data}
	if code, _ := post(t, s, s.Token(), p.Encode()); code != 200 {
		t.Fatalf("status %d", code)
	}
	files := dataFiles(t, dir)
	if len(files) != 1 || !strings.HasPrefix(files[0], ".coverage.remote-") {
		t.Fatalf("files %v", files)
	}
}

func wait(s *Server, gen uint64, secs float64, inst string) (uint64, error) {
	req, _ := http.NewRequest("GET", fmt.Sprintf("http://%s/v1/wait?gen=%d&t=%g&host=h&instance=%s&pid=4", s.Addr(), gen, secs, inst), nil)
	req.Header.Set("Authorization", "Bearer "+s.Token())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var r reply
	err = json.NewDecoder(resp.Body).Decode(&r)
	return r.Flush, err
}

func TestFlushWaitsForLiveClients(t *testing.T) {
	s := startServer(t, Options{})
	// A client that long-polls and answers a flush with its data.
	answered := make(chan error, 1)
	polling := make(chan struct{})
	go func() {
		if _, err := wait(s, 0, 0, "good"); err != nil { // registers, returns at once
			answered <- err
			return
		}
		close(polling)
		gen, err := wait(s, 0, 30, "good")
		if err != nil {
			answered <- err
			return
		}
		p := &Push{Host: "h", Instance: "good", PID: 4, File: "f", Seq: 1, Flush: gen, Data: leanData(t, "/app/m.py", 1)}
		req, _ := http.NewRequest("POST", "http://"+s.Addr()+"/v1/push", bytes.NewReader(p.Encode()))
		req.Header.Set("Authorization", "Bearer "+s.Token())
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		answered <- err
	}()
	<-polling
	// A client heard from once, that never answers (cut off from the network).
	if _, err := wait(s, 0, 0, "silent"); err != nil {
		t.Fatal(err)
	}
	// A client that exited: not waited for.
	post(t, s, s.Token(), (&Push{Host: "h", Instance: "gone", PID: 9, Final: true}).Encode())

	res := s.Flush(context.Background(), 1500*time.Millisecond)
	if err := <-answered; err != nil {
		t.Fatal(err)
	}
	if res.Asked != 2 || res.Answered != 1 || len(res.Silent) != 1 || res.Silent[0] != "h pid 4" {
		t.Fatalf("flush %+v", res)
	}
	// A second flush with nobody silent returns at once.
	s2 := startServer(t, Options{})
	start := time.Now()
	if res := s2.Flush(context.Background(), time.Minute); res.Asked != 0 || time.Since(start) > 10*time.Second {
		t.Fatalf("empty flush %+v after %v", res, time.Since(start))
	}
}

func TestLongPollAnswersPendingFlushAtOnce(t *testing.T) {
	s := startServer(t, Options{})
	s.Flush(context.Background(), 0)
	done := make(chan uint64, 1)
	go func() {
		g, _ := wait(s, 0, 50, "x")
		done <- g
	}()
	select {
	case g := <-done:
		if g != 1 {
			t.Fatalf("gen %d", g)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("a pending flush did not answer the long-poll")
	}
}

func TestCloseEndsLongPolls(t *testing.T) {
	s := startServer(t, Options{})
	done := make(chan error, 1)
	go func() {
		_, err := wait(s, 0, 50, "x")
		done <- err
	}()
	time.Sleep(200 * time.Millisecond)
	s.Close()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("Close left a long-poll hanging")
	}
}

func TestFlushDoesNotWaitForKilledClients(t *testing.T) {
	s := startServer(t, Options{})
	// A client killed while it long-polls: its kernel closes the connection.
	ctx, cancel := context.WithCancel(context.Background())
	polling := make(chan struct{})
	go func() {
		req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("http://%s/v1/wait?gen=0&t=50&host=h&instance=k&pid=8", s.Addr()), nil)
		req.Header.Set("Authorization", "Bearer "+s.Token())
		close(polling)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	<-polling
	for s.liveClients() == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	cancel()
	for {
		s.mu.Lock()
		gone := s.clients["h\x00k"].gone
		s.mu.Unlock()
		if gone {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	start := time.Now()
	res := s.Flush(context.Background(), time.Minute)
	if res.Asked != 0 || time.Since(start) > 10*time.Second {
		t.Fatalf("flush %+v after %v", res, time.Since(start))
	}
}

// Pushed data names the image's paths; dockerkit.Remap (covrun runs it
// before the merge) maps them to host files through the mapping the push
// carried, the user's [paths] first.
func TestPushedDataMapsToHostPaths(t *testing.T) {
	ctxDir, other := t.TempDir(), t.TempDir()
	for _, p := range []string{filepath.Join(ctxDir, "app", "m.py"), filepath.Join(ctxDir, "app", "n.py"), filepath.Join(other, "n.py")} {
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("x = 1\n"), 0o644)
	}
	dir := t.TempDir()
	s := startServer(t, Options{DataDir: dir})
	image := []byte(fmt.Sprintf(`{"context":%q,"paths":[{"container":"/srv","host":"."}]}`, ctxDir))
	data := leancov.Encode(&leancov.File{
		Header: map[string]string{"python": "3.13.1"},
		Files: []leancov.Measured{
			{Path: "/srv/app/m.py", Lines: map[string][]int{"": {1}}},
			{Path: "/srv/app/n.py", Lines: map[string][]int{"": {1}}},
			{Path: "/usr/lib/python3.13/json/__init__.py", Lines: map[string][]int{"": {1}}},
		},
	})
	p := &Push{Host: "h", Instance: "i", PID: 1, File: "f", Seq: 1, Image: image, Data: data}
	if code, _ := post(t, s, s.Token(), p.Encode()); code != 200 {
		t.Fatalf("status %d", code)
	}
	user := func(p string) (string, bool) {
		if p == "/srv/app/n.py" {
			return filepath.Join(other, "n.py"), true
		}
		return "", false
	}
	res, err := dockerkit.Remap(dir, t.TempDir(), user)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 1 || len(res.Dropped) != 1 {
		t.Fatalf("remap %+v", res)
	}
	b, _ := os.ReadFile(res.Files[0])
	f, err := leancov.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range f.Files {
		got = append(got, m.Path)
	}
	want := []string{filepath.Join(ctxDir, "app", "m.py"), filepath.Join(other, "n.py")}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("paths %v, want %v", got, want)
	}
}
