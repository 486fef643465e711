package collect

import (
	"bytes"
	"strings"
	"testing"
)

func TestParsePush(t *testing.T) {
	tests := []struct {
		name, body string
		ok         bool
	}{
		{"ack", "covkit-push 1\nhost=h\ninstance=i\nflush=2\n\n", true},
		{"data", "covkit-push 1\ninstance=i\nfile=f\nseq=1\n\nDATA", true},
		{"unknown keys ignored", "covkit-push 1\ninstance=i\nnew=1\n\n", true},
		{"no magic", "covkit-push 2\ninstance=i\n\n", false},
		{"no end of header", "covkit-push 1\ninstance=i\n", false},
		{"line without =", "covkit-push 1\ninstance=i\nbogus\n\n", false},
		{"key twice", "covkit-push 1\ninstance=i\ninstance=j\n\n", false},
		{"negative pid", "covkit-push 1\ninstance=i\npid=-1\n\n", false},
		{"huge pid", "covkit-push 1\ninstance=i\npid=99999999999\n\n", false},
		{"bad final", "covkit-push 1\ninstance=i\nfinal=yes\n\n", false},
		{"data without file", "covkit-push 1\ninstance=i\n\nDATA", false},
		{"control char", "covkit-push 1\ninstance=i\x1b[2J\n\n", false},
		{"long host", "covkit-push 1\ninstance=i\nhost=" + strings.Repeat("a", 300) + "\n\n", false},
		{"huge header", "covkit-push 1\ninstance=i\nimage=" + strings.Repeat("a", 70<<10) + "\n\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParsePush([]byte(tt.body))
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestPushRoundTrip(t *testing.T) {
	p := &Push{Host: "h", Instance: "i", PID: 3, File: "f", Seq: 4, Flush: 2, Final: true, Image: []byte(`{"a":1}`), Data: []byte("x\n\ny")}
	q, err := ParsePush(p.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if q.Host != p.Host || q.Instance != p.Instance || q.PID != 3 || q.File != "f" || q.Seq != 4 || q.Flush != 2 || !q.Final || string(q.Image) != `{"a":1}` || !bytes.Equal(q.Data, p.Data) {
		t.Fatalf("round trip: %+v", q)
	}
}

func FuzzParsePush(f *testing.F) {
	f.Add([]byte("covkit-push 1\nhost=h\ninstance=i\npid=3\nfile=f\nseq=1\nflush=0\nfinal=1\nimage={}\n\nCOVKITL\x01"))
	f.Add([]byte("covkit-push 1\n\n"))
	f.Add([]byte("covkit-push 1\ninstance=\n\n\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePush(b)
		if err != nil {
			return
		}
		if p.Instance == "" || (p.Data != nil && p.File == "") {
			t.Fatalf("accepted %+v", p)
		}
		for _, s := range []string{p.Host, p.Instance, p.File} {
			if strings.ContainsAny(s, "\n\r\x00") {
				t.Fatalf("control character in %q", s)
			}
		}
		// What parses re-encodes to the same push.
		if !strings.Contains(string(p.Image), "\n") {
			q, err := ParsePush(p.Encode())
			if err != nil || q.Seq != p.Seq || q.PID != p.PID || !bytes.Equal(q.Data, p.Data) {
				t.Fatalf("re-encoding %+v: %+v, %v", p, q, err)
			}
		}
		if p.Data != nil {
			checkData(p.Data) // must not panic
		}
	})
}
