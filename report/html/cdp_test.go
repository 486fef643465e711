//go:build unix

package html

// A minimal Chrome DevTools Protocol client for the browser test: a
// websocket client (RFC 6455, text frames, client masking) over net.Conn and
// JSON-RPC calls on it. Enough to drive headless Chromium without a
// dependency.

import (
	"bufio"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/covkit/covkit/internal/testbed"
)

type wsConn struct {
	c net.Conn
	r *bufio.Reader
}

func dialWS(rawURL string) (*wsConn, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	c, err := net.DialTimeout("tcp", u.Host, 10*time.Second)
	if err != nil {
		return nil, err
	}
	var k [16]byte
	rand.Read(k[:])
	key := base64.StdEncoding.EncodeToString(k[:])
	c.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n", u.RequestURI(), u.Host, key)
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		c.Close()
		return nil, err
	}
	h := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	if resp.StatusCode != http.StatusSwitchingProtocols || resp.Header.Get("Sec-WebSocket-Accept") != base64.StdEncoding.EncodeToString(h[:]) {
		c.Close()
		return nil, fmt.Errorf("websocket handshake: %s", resp.Status)
	}
	c.SetDeadline(time.Time{})
	return &wsConn{c: c, r: br}, nil
}

func (w *wsConn) writeFrame(op byte, p []byte) error {
	hdr := []byte{0x80 | op}
	switch n := len(p); {
	case n < 126:
		hdr = append(hdr, 0x80|byte(n))
	case n < 1<<16:
		hdr = append(hdr, 0x80|126, byte(n>>8), byte(n))
	default:
		hdr = append(hdr, 0x80|127)
		hdr = binary.BigEndian.AppendUint64(hdr, uint64(n))
	}
	var mask [4]byte
	rand.Read(mask[:])
	hdr = append(hdr, mask[:]...)
	buf := make([]byte, len(p))
	for i := range p {
		buf[i] = p[i] ^ mask[i%4]
	}
	_, err := w.c.Write(append(hdr, buf...))
	return err
}

// read returns the next complete text or binary message.
func (w *wsConn) read() ([]byte, error) {
	var msg []byte
	for {
		var h [2]byte
		if _, err := io.ReadFull(w.r, h[:]); err != nil {
			return nil, err
		}
		fin, op := h[0]&0x80 != 0, h[0]&0x0f
		n := uint64(h[1] & 0x7f)
		switch n {
		case 126:
			var b [2]byte
			if _, err := io.ReadFull(w.r, b[:]); err != nil {
				return nil, err
			}
			n = uint64(binary.BigEndian.Uint16(b[:]))
		case 127:
			var b [8]byte
			if _, err := io.ReadFull(w.r, b[:]); err != nil {
				return nil, err
			}
			n = binary.BigEndian.Uint64(b[:])
		}
		var mask [4]byte
		if h[1]&0x80 != 0 {
			if _, err := io.ReadFull(w.r, mask[:]); err != nil {
				return nil, err
			}
		}
		p := make([]byte, n)
		if _, err := io.ReadFull(w.r, p); err != nil {
			return nil, err
		}
		if h[1]&0x80 != 0 {
			for i := range p {
				p[i] ^= mask[i%4]
			}
		}
		switch op {
		case 8:
			return nil, errors.New("websocket closed")
		case 9:
			if err := w.writeFrame(10, p); err != nil {
				return nil, err
			}
			continue
		case 10:
			continue
		}
		msg = append(msg, p...)
		if fin {
			return msg, nil
		}
	}
}

// browser is a headless Chromium with one page under DevTools control.
type browser struct {
	t    *testing.T
	cmd  *exec.Cmd
	ws   *wsConn
	id   int
	port string
}

// findChromium returns the Chromium binary, skipping the test when there is
// none (failing under COVKIT_REQUIRE_TESTBED=1).
func findChromium(t *testing.T) string {
	if testing.Short() {
		t.Skip("browser test skipped under -short")
	}
	return testbed.Program(t, "chromium", "chromium-browser", "google-chrome")
}

var devtoolsRE = regexp.MustCompile(`DevTools listening on (ws://[^\s]+)`)

func startBrowser(t *testing.T, width, height int) *browser {
	bin := findChromium(t)
	// Chromium's profile lives outside t.TempDir: its helper processes may
	// still be writing there for a moment after the browser is gone.
	profile, err := os.MkdirTemp("", "covkit-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--no-first-run", "--no-default-browser-check", "--disable-extensions", "--hide-scrollbars",
		"--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
		"--user-data-dir="+profile, fmt.Sprintf("--window-size=%d,%d", width, height), "about:blank")
	// Its own process group, so that the browser and every helper it
	// starts can be stopped together.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(profile)
		t.Fatal(err)
	}
	pgid := cmd.Process.Pid
	var started *browser
	t.Cleanup(func() {
		if b := started; b != nil && b.ws != nil {
			b.call("Browser.close", nil) // a clean exit; killed below if not
			b.ws.c.Close()
		}
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
		}
		syscall.Kill(-pgid, syscall.SIGKILL)
		<-done
		for range 20 {
			if os.RemoveAll(profile) == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() {
			if m := devtoolsRE.FindStringSubmatch(sc.Text()); m != nil && !sent {
				found <- m[1]
				sent = true
			}
		}
	}()
	var browserURL string
	select {
	case browserURL = <-found:
	case <-time.After(60 * time.Second):
		t.Fatal("chromium did not print its DevTools address")
	}
	u, _ := url.Parse(browserURL)
	b := &browser{t: t, cmd: cmd, port: u.Port()}
	started = b

	// The page target's own websocket.
	var targets []struct{ Type, WebSocketDebuggerURL string }
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + u.Host + "/json/list")
		if err == nil {
			err = json.NewDecoder(resp.Body).Decode(&targets)
			resp.Body.Close()
		}
		if err == nil {
			for _, tg := range targets {
				if tg.Type == "page" && tg.WebSocketDebuggerURL != "" {
					if b.ws, err = dialWS(tg.WebSocketDebuggerURL); err != nil {
						t.Fatal(err)
					}
					return b
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no page target in chromium: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// call sends a DevTools command and waits for its answer (events in between
// are dropped).
func (b *browser) call(method string, params any) (json.RawMessage, error) {
	b.id++
	if params == nil {
		params = struct{}{}
	}
	req, _ := json.Marshal(map[string]any{"id": b.id, "method": method, "params": params})
	b.ws.c.SetDeadline(time.Now().Add(60 * time.Second))
	defer b.ws.c.SetDeadline(time.Time{})
	if err := b.ws.writeFrame(1, req); err != nil {
		return nil, err
	}
	for {
		msg, err := b.ws.read()
		if err != nil {
			return nil, err
		}
		var r struct {
			ID     int
			Result json.RawMessage
			Error  *struct {
				Code    int
				Message string
			}
		}
		if err := json.Unmarshal(msg, &r); err != nil {
			return nil, err
		}
		if r.ID != b.id {
			continue
		}
		if r.Error != nil {
			return nil, fmt.Errorf("%s: %s", method, r.Error.Message)
		}
		return r.Result, nil
	}
}

func (b *browser) must(method string, params any) json.RawMessage {
	b.t.Helper()
	r, err := b.call(method, params)
	if err != nil {
		b.t.Fatal(err)
	}
	return r
}

// eval evaluates a JavaScript expression in the page and decodes its value
// into out.
func (b *browser) evalErr(expr string, out any) error {
	r, err := b.call("Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true})
	if err != nil {
		return err
	}
	var v struct {
		Result struct {
			Value json.RawMessage
		}
		ExceptionDetails *struct{ Text string }
	}
	if err := json.Unmarshal(r, &v); err != nil {
		return err
	}
	if v.ExceptionDetails != nil {
		return fmt.Errorf("%s: %s", expr, v.ExceptionDetails.Text)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(v.Result.Value, out)
}

func (b *browser) eval(expr string, out any) {
	b.t.Helper()
	if err := b.evalErr(expr, out); err != nil {
		b.t.Fatal(err)
	}
}

// waitFor polls a boolean expression until it holds (page loads replace
// the execution context, so errors while polling are expected).
func (b *browser) waitFor(expr string) {
	b.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var ok bool
		if err := b.evalErr(expr, &ok); err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("timed out waiting for %s", expr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (b *browser) navigate(u string) {
	b.t.Helper()
	b.must("Page.navigate", map[string]any{"url": u})
	b.waitFor(fmt.Sprintf("location.href === %q && document.readyState === 'complete'", u))
}

// click clicks the middle of the element selected by sel with the mouse.
func (b *browser) click(sel string) {
	b.t.Helper()
	var r struct{ X, Y float64 }
	b.eval(fmt.Sprintf(`(function(){var e=document.querySelector(%q); e.scrollIntoView({block:"center"}); var r=e.getBoundingClientRect(); return {x:r.left+r.width/2, y:r.top+r.height/2};})()`, sel), &r)
	for _, typ := range []string{"mousePressed", "mouseReleased"} {
		b.must("Input.dispatchMouseEvent", map[string]any{"type": typ, "x": r.X, "y": r.Y, "button": "left", "clickCount": 1})
	}
}

// key types one printable key.
func (b *browser) key(k string) {
	b.t.Helper()
	code := int(strings.ToUpper(k)[0])
	b.must("Input.dispatchKeyEvent", map[string]any{"type": "keyDown", "key": k, "text": k, "windowsVirtualKeyCode": code, "nativeVirtualKeyCode": code})
	b.must("Input.dispatchKeyEvent", map[string]any{"type": "keyUp", "key": k, "windowsVirtualKeyCode": code, "nativeVirtualKeyCode": code})
}

func (b *browser) screenshot() []byte {
	b.t.Helper()
	var r struct{ Data string }
	if err := json.Unmarshal(b.must("Page.captureScreenshot", map[string]any{"format": "png"}), &r); err != nil {
		b.t.Fatal(err)
	}
	png, err := base64.StdEncoding.DecodeString(r.Data)
	if err != nil {
		b.t.Fatal(err)
	}
	return png
}
