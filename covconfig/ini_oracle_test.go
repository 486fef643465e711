package covconfig

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/covkit/covkit/internal/testbed"
	"github.com/google/go-cmp/cmp"
)

func randomINI(r *rand.Rand) string {
	// %d becomes the line number, so keys and sections rarely collide.
	lines := []string{
		"[s%d]", "[DEFAULT]", "[a%d]b]", "  [t%d]", "[ x%d ]", "[u%d] tail",
		"key%d = value", "Key%d: v", "k%d=", "branch%d = true", "BR%d=1", "omit%d = a, b",
		"  cont", "\tcont2", "      deep", "", "", "   ", "# comment", "  ; comment", "#", ";x",
		"k%d = v # c", "k%d\t=\tv  ", "a b%d = c", "x%d=y=z", "x%d:y=z",
		"\u3000u%d = 1", "\x0cff%d = 2", "é%d = ü", "\x1cfs%d = 3", "k%d = \x1c", "v%d = 1",
	}
	invalid := []string{"novalue", "= v", ": v", "[]", "dup = 1", "dup = 2", "[run]"}
	ends := []string{"\n", "\n", "\r\n", "\r"}
	var b strings.Builder
	if r.IntN(5) > 0 {
		b.WriteString("[run]\n")
	}
	for i := range 1 + r.IntN(9) {
		l := lines[r.IntN(len(lines))]
		if r.IntN(15) == 0 {
			l = invalid[r.IntN(len(invalid))]
		}
		if strings.Contains(l, "%d") {
			l = fmt.Sprintf(l, i)
		}
		b.WriteString(l)
		b.WriteString(ends[r.IntN(len(ends))])
	}
	return b.String()
}

const iniScript = `
import configparser, json, sys
files = json.load(open(sys.argv[1]))
out = []
for path in files:
    cp = configparser.ConfigParser(interpolation=None)
    try:
        cp.read(path, encoding="utf-8")
    except configparser.Error as e:
        out.append(None)
        continue
    out.append({
        "defaults": [[k, v] for k, v in cp._defaults.items()],
        "sections": [[n, [[k, v] for k, v in s.items()]] for n, s in cp._sections.items()],
    })
print(json.dumps(out))
`

func viewINI(f *iniFile) map[string]any {
	opts := func(s *iniSection) [][]string {
		out := [][]string{}
		for _, o := range s.opts {
			out = append(out, []string{o.key, o.value})
		}
		return out
	}
	secs := [][]any{}
	for _, s := range f.sections {
		secs = append(secs, []any{s.name, opts(s)})
	}
	v := map[string]any{"defaults": opts(f.defaults), "sections": secs}
	js, _ := json.Marshal(v)
	var out map[string]any
	json.Unmarshal(js, &out)
	return out
}

// TestINIOracle parses generated INI files with configparser (CPython
// 3.14, what coverage.py 7.16 runs on in the sid bed) and with parseINI.
func TestINIOracle(t *testing.T) {
	b := testbed.Get(t, "sid")
	host, inBed := b.TempDir(t)
	r := rand.New(rand.NewPCG(11, 12))
	var texts []string
	var paths []string
	for i := range 600 {
		s := randomINI(r)
		texts = append(texts, s)
		name := fmt.Sprintf("f%d.ini", i)
		if err := os.WriteFile(filepath.Join(host, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, inBed+"/"+name)
	}
	js, _ := json.Marshal(paths)
	if err := os.WriteFile(filepath.Join(host, "files.json"), js, 0o644); err != nil {
		t.Fatal(err)
	}
	res := b.MustRun(t, inBed, nil, b.Python, "-c", iniScript, inBed+"/files.json")
	var want []map[string]any
	if err := json.Unmarshal([]byte(res.Stdout), &want); err != nil {
		t.Fatalf("oracle output: %v\n%s", err, res.Stdout)
	}
	bad, errs := 0, 0
	for i, text := range texts {
		f, err := parseINI("f.ini", []byte(text))
		var got map[string]any
		if err == nil {
			got = viewINI(f)
		} else {
			errs++
		}
		if d := cmp.Diff(want[i], got); d != "" {
			t.Errorf("file %q (err %v): (-configparser +parseINI):\n%s", text, err, d)
			if bad++; bad > 10 {
				t.Fatal("too many")
			}
		}
	}
	t.Logf("%d files, %d rejected by both", len(texts), errs)
}
