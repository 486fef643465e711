package sqlitecov

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/covkit/covkit/internal/testfiles"
)

var update = flag.Bool("update", false, "regenerate testdata/*.golden.json with coverage.py (/usr/bin/python3)")

func testFiles(t *testing.T) []string {
	fs, err := filepath.Glob("testdata/*.coverage")
	if err != nil || len(fs) == 0 {
		t.Fatal("no testdata", err)
	}
	return fs
}

// view renders Data the way golden.py renders coverage.py's reading.
func view(d *Data) map[string]any {
	files := map[string]any{}
	for _, p := range d.Paths() {
		f := d.Files[p]
		e := map[string]any{"tracer": f.Tracer, "lines": nonNil(f.AllLines())}
		byctx := map[string]any{}
		for _, c := range d.Contexts {
			if d.HasArcs {
				byctx[c] = nonNilArcs(f.Arcs[c])
			} else {
				byctx[c] = nonNil(f.Lines[c])
			}
		}
		e["byctx"] = byctx
		if d.HasArcs {
			e["arcs"] = nonNilArcs(f.AllArcs())
		}
		files[p] = e
	}
	return map[string]any{"has_arcs": d.HasArcs, "contexts": d.Contexts, "files": files}
}

func nonNil(s []int) []int {
	if s == nil {
		return []int{}
	}
	return s
}

func nonNilArcs(s [][2]int) [][2]int {
	if s == nil {
		return [][2]int{}
	}
	return s
}

func roundJSON(t *testing.T, v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestReadMatchesCoveragePy(t *testing.T) {
	files := testFiles(t)
	if *update {
		out, err := exec.Command("/usr/bin/python3", append([]string{"testdata/golden.py"}, files...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("golden.py: %v\n%s", err, out)
		}
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			d, err := ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			gb, err := os.ReadFile(strings.TrimSuffix(f, ".coverage") + ".golden.json")
			if err != nil {
				t.Fatal(err)
			}
			var want any
			if err := json.Unmarshal(gb, &want); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, roundJSON(t, view(d))); diff != "" {
				t.Errorf("ReadFile differs from coverage.py (-coverage.py +ours):\n%s", diff)
			}
		})
	}
}

// The native decoder and the SQL engine must agree row for row.
func TestNativeMatchesSQL(t *testing.T) {
	for _, f := range testFiles(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			var native, viaSQL Raw
			buf, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := DecodeRaw(buf, &native); err != nil {
				t.Fatal(err)
			}
			if err := readRawSQL(f, &viaSQL); err != nil {
				t.Fatal(err)
			}
			if len(native.Arcs)+len(native.LineBits) == 0 {
				t.Fatal("test file holds no data")
			}
			if diff := cmp.Diff(viaSQL, native); diff != "" {
				t.Errorf("native decoder differs from SQLite (-sql +native):\n%s", diff)
			}
		})
	}
}

func TestWriteRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, f := range testFiles(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			d, err := ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, filepath.Base(f))
			if err := WriteFile(out, d); err != nil {
				t.Fatal(err)
			}
			back, err := ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(d, back); diff != "" {
				t.Errorf("round trip (-before +after):\n%s", diff)
			}
			var buf bytes.Buffer
			if err := Write(&buf, d); err != nil {
				t.Fatal(err)
			}
			first, _ := os.ReadFile(out)
			if !bytes.Equal(first, buf.Bytes()) {
				t.Error("two writes of the same data differ: output is not deterministic")
			}
			fromReader, err := Read(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(d, fromReader); diff != "" {
				t.Errorf("Read (-ReadFile +Read):\n%s", diff)
			}
			if m, _ := filepath.Glob(filepath.Join(dir, ".*tmp*")); len(m) > 0 {
				t.Errorf("temporary files left behind: %v", m)
			}
		})
	}
}

// sqliteExec makes or changes an SQLite file with the SQL engine.
func sqliteExec(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func TestBadInputs(t *testing.T) {
	dir := t.TempDir()
	good := "testdata/branchctx-716.coverage"
	tests := []struct {
		name  string
		setup func(path string)
		want  error
		text  string
	}{
		{"zero-byte", func(p string) { os.WriteFile(p, nil, 0o666) }, ErrEmpty, "empty file"},
		{"truncated-header", func(p string) {
			b := testfiles.CopyFile(t, good, p)
			os.WriteFile(p, b[:50], 0o666)
		}, ErrTruncated, "truncated"},
		{"truncated-pages", func(p string) {
			b := testfiles.CopyFile(t, good, p)
			os.WriteFile(p, b[:len(b)/2/4096*4096], 0o666)
		}, ErrTruncated, "header says"},
		{"truncated-mid-page", func(p string) {
			b := testfiles.CopyFile(t, good, p)
			os.WriteFile(p, b[:len(b)-100], 0o666)
		}, ErrTruncated, "whole number"},
		{"not-sqlite", func(p string) { os.WriteFile(p, []byte("hello, world\n"), 0o666) }, ErrNotSQLite, "not an SQLite database"},
		{"other-program", func(p string) {
			sqliteExec(t, p, "create table songs (id integer primary key, title text)", "insert into songs (title) values ('x')")
		}, ErrNotCoverage, "no coverage_schema"},
		{"schema-6", func(p string) {
			testfiles.CopyFile(t, good, p)
			sqliteExec(t, p, "update coverage_schema set version = 6")
		}, ErrSchema, "version 6, need 7"},
		{"coverage-4-json", func(p string) {
			os.WriteFile(p, []byte(`!coverage.py: This is a private format, don't read it directly!{"lines":{"/a.py":[1,2]}}`), 0o666)
		}, ErrJSON, "4.x JSON"},
		{"missing-table", func(p string) {
			testfiles.CopyFile(t, good, p)
			sqliteExec(t, p, "drop table arc")
		}, ErrNotCoverage, "no arc table"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, tt.name)
			tt.setup(p)
			_, err := ReadFile(p)
			if !errors.Is(err, tt.want) {
				t.Fatalf("ReadFile error = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.text) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q: want one line containing %q", err, tt.text)
			}
			b, _ := os.ReadFile(p)
			if _, err := Read(bytes.NewReader(b)); !errors.Is(err, tt.want) {
				t.Errorf("Read error = %v, want %v", err, tt.want)
			}
		})
	}
}

// A WAL-mode database is valid but not for the fast path: Read must fall
// back to the SQL engine and still get the data.
func TestFallbackWAL(t *testing.T) {
	p := filepath.Join(t.TempDir(), "wal.coverage")
	testfiles.CopyFile(t, "testdata/lines-716.coverage", p)
	sqliteExec(t, p, "pragma journal_mode=wal")
	buf, _ := os.ReadFile(p)
	var r Raw
	if err := DecodeRaw(buf, &r); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("DecodeRaw on WAL file: %v, want ErrUnsupported", err)
	}
	got, err := ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := ReadFile("testdata/lines-716.coverage")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Error(diff)
	}
}

func TestUpdate(t *testing.T) {
	a := NewData()
	a.HasArcs = true
	a.File("/x/a.py").Arcs = map[string][][2]int{"": {{-1, 1}, {1, 2}}}
	a.Contexts = []string{""}
	b := NewData()
	b.HasArcs = true
	b.File("/y/a.py").Arcs = map[string][][2]int{"": {{1, 2}, {2, -1}}, "t": {{1, 3}}}
	b.Contexts = []string{"", "t"}
	if err := a.Update(b, func(p string) string { return strings.Replace(p, "/y/", "/x/", 1) }); err != nil {
		t.Fatal(err)
	}
	f := a.Files["/x/a.py"]
	if got, want := f.AllArcs(), [][2]int{{-1, 1}, {1, 2}, {1, 3}, {2, -1}}; !slices.Equal(got, want) {
		t.Errorf("arcs %v, want %v", got, want)
	}
	if got, want := f.AllLines(), []int{1, 2, 3}; !slices.Equal(got, want) {
		t.Errorf("lines %v, want %v", got, want)
	}
	l := NewData()
	l.HasLines = true
	var ke *KindError
	if err := a.Update(l, nil); !errors.As(err, &ke) {
		t.Errorf("arcs.Update(lines) = %v, want KindError", err)
	}
	c := NewData()
	c.HasArcs = true
	c.File("/x/a.py").Tracer = "django"
	var te *TracerError
	if err := a.Update(c, nil); !errors.As(err, &te) {
		t.Errorf("tracer conflict = %v, want TracerError", err)
	}
}

// A hot rollback journal means the file's bytes are mid-transaction: the
// reader must leave it to SQLite, whatever SQLite then says.
func TestHotJournalGoesToSQLite(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "j.coverage")
	testfiles.CopyFile(t, "testdata/lines-716.coverage", p)
	os.WriteFile(p+"-journal", []byte("not really a journal"), 0o666)
	if !hotJournal(p) {
		t.Fatal("journal not noticed")
	}
	// Read-only, SQLite can neither roll the journal back nor ignore it.
	if _, err := ReadFile(p); !errors.Is(err, ErrJournal) {
		t.Fatalf("ReadFile: %v, want ErrJournal", err)
	}
	var fr FileReader
	defer fr.Close()
	var r Raw
	if err := fr.ReadRaw(p, &r, nil); !errors.Is(err, ErrJournal) {
		t.Fatalf("FileReader: %v, want ErrJournal", err)
	}
	// An empty journal is not hot.
	os.WriteFile(p+"-journal", nil, 0o666)
	if _, err := ReadFile(p); err != nil {
		t.Fatal(err)
	}
}
