package history

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzRead: any bytes read as a history give no error (only readers fail),
// and every record kept re-reads the same.
func FuzzRead(f *testing.F) {
	f.Add([]byte(`{"time":"2026-01-01T00:00:00Z","lines":{"statements":2,"covered":1,"missing":1,"excluded":0},"percent":50}` + "\n"))
	f.Add([]byte("{\"time\":\"2026-01-01T00:00:00Z\",\"percent\":1}\n{bad\n\n"))
	f.Add([]byte("\x00\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var warns int
		recs, err := Read(bytes.NewReader(data), func(string, ...any) { warns++ })
		if err != nil {
			t.Fatalf("Read failed: %v", err)
		}
		lines := 0
		for _, l := range strings.Split(string(data), "\n") {
			if strings.TrimSpace(l) != "" {
				lines++
			}
		}
		if len(recs)+warns > lines {
			t.Fatalf("%d records + %d warnings from %d lines", len(recs), warns, lines)
		}
		var buf bytes.Buffer
		for _, r := range recs {
			b, err := r.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			buf.Write(b)
		}
		again, err := Read(&buf, func(f string, a ...any) { t.Errorf("re-read warns: "+f, a...) })
		if err != nil || len(again) != len(recs) {
			t.Fatalf("re-read %d records (%v), want %d", len(again), err, len(recs))
		}
	})
}
