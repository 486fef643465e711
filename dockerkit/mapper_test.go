package dockerkit

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func touch(t *testing.T, root string, rels ...string) {
	t.Helper()
	for _, r := range rels {
		p := filepath.Join(root, filepath.FromSlash(r))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestHostPathMapper(t *testing.T) {
	root := t.TempDir()
	touch(t, root,
		"svc/app/main.py", "svc/app/util.py", "svc/lib/helpers.py",
		"tools/gen/report.py", "other/unique_name.py",
		"x/__init__.py", "y/__init__.py", "pkg/a/mod.py", "pkg/b/mod.py",
		".venv/lib/site-packages/requests/api.py", "svc/override/main.py")
	ctx := filepath.Join(root, "svc")
	moved := filepath.Join(t.TempDir(), "elsewhere") // a context recorded on another machine
	images := []ImageInfo{
		{ID: "a", Context: ctx, Paths: []PathMapping{
			{Container: "/app", Host: "app"},
			{Container: "/opt/lib", Host: "lib"},
			{Container: "/app/special.py", Host: "override/main.py"}, // a file mapping beats its directory
			{Container: "/abs", Host: filepath.Join(root, "tools")},
		}},
		{ID: "b", Context: moved, Paths: []PathMapping{{Container: "/gen", Host: "tools/gen"}}},
	}
	m := HostPathMapper(images, root)
	tests := []struct {
		in   string
		want string // "" for no mapping
	}{
		{"/app/main.py", "svc/app/main.py"},
		{"/app/util.py", "svc/app/util.py"},
		{"/opt/lib/helpers.py", "svc/lib/helpers.py"},
		{"/app/special.py", "svc/override/main.py"},
		{"/abs/gen/report.py", "tools/gen/report.py"},
		{"/gen/report.py", "tools/gen/report.py"},             // context not here: relative to hostRoot
		{"/app/missing.py", ""},                               // mapped, but no such host file; no suffix either
		{"/srv/x/app/main.py", "svc/app/main.py"},             // suffix: two components agree
		{"/deploy/unique_name.py", "other/unique_name.py"},    // unique basename
		{"/usr/lib/python3/dist-packages/unique_name.py", ""}, // ... but not for the interpreter's own files
		{"/z/__init__.py", ""},                                // ambiguous
		{"/srv/a/mod.py", "pkg/a/mod.py"},
		{"/srv/c/mod.py", ""},                                  // a tie
		{"/usr/lib/python3/dist-packages/requests/api.py", ""}, // venvs are not searched
	}
	for _, tc := range tests {
		got, ok := m(tc.in)
		want := ""
		if tc.want != "" {
			want = filepath.Join(root, filepath.FromSlash(tc.want))
		}
		if got != want || ok != (want != "") {
			t.Errorf("map(%s) = %q, %v; want %q", tc.in, got, ok, want)
		}
	}
}

// writeData makes a coverage.py data file (schema 7) with the given lines.
func writeData(t *testing.T, path string, files map[string][]byte) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range []string{
		"CREATE TABLE coverage_schema (version integer)",
		"INSERT INTO coverage_schema (version) VALUES (7)",
		"CREATE TABLE meta (key text, value text, unique (key))",
		"CREATE TABLE file (id integer primary key, path text, unique (path))",
		"CREATE TABLE context (id integer primary key, context text, unique (context))",
		"INSERT INTO context (id, context) VALUES (1, '')",
		"CREATE TABLE line_bits (file_id integer, context_id integer, numbits blob, unique (file_id, context_id))",
		"CREATE TABLE arc (file_id integer, context_id integer, fromno integer, tono integer, unique (file_id, context_id, fromno, tono))",
		"CREATE TABLE tracer (file_id integer primary key, tracer text)",
	} {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	id := 0
	for _, p := range sortedKeys(files) {
		id++
		db.Exec("INSERT INTO file (id, path) VALUES (?, ?)", id, p)
		db.Exec("INSERT INTO line_bits (file_id, context_id, numbits) VALUES (?, 1, ?)", id, files[p])
		db.Exec("INSERT INTO tracer (file_id, tracer) VALUES (?, '')", id)
	}
}

func readData(t *testing.T, path string) map[string][]byte {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT file.path, line_bits.numbits FROM file JOIN line_bits ON line_bits.file_id = file.id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]byte{}
	for rows.Next() {
		var p string
		var b []byte
		rows.Scan(&p, &b)
		out[p] = b
	}
	var n int
	db.QueryRow("SELECT count(*) FROM file").Scan(&n)
	if n != len(out) {
		t.Errorf("%d file rows, %d with lines", n, len(out))
	}
	return out
}

func TestRemapFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), ".coverage.x")
	writeData(t, p, map[string][]byte{
		"/app/a.py":             {0x06},       // lines 1, 2
		"/srv/app/a.py":         {0x10, 0x01}, // lines 4, 8: the same host file
		"/app/b.py":             {0x02},
		"/usr/lib/python3/x.py": {0x02},
	})
	m := map[string]string{"/app/a.py": "/h/a.py", "/srv/app/a.py": "/h/a.py", "/app/b.py": "/h/b.py"}
	n, dropped, err := RemapFile(p, func(s string) (string, bool) { r, ok := m[s]; return r, ok })
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 || !cmp.Equal(dropped, []string{"/usr/lib/python3/x.py"}) {
		t.Errorf("mapped %d, dropped %v", n, dropped)
	}
	want := map[string][]byte{"/h/a.py": {0x16, 0x01}, "/h/b.py": {0x02}}
	if diff := cmp.Diff(want, readData(t, p)); diff != "" {
		t.Errorf("remapped data (-want +got):\n%s", diff)
	}
}

func TestRemap(t *testing.T) {
	root := t.TempDir()
	touch(t, root, "proj/app/a.py", "other/app/a.py")
	data := t.TempDir()
	// Two images map the same container path to different host trees: each
	// file must follow its own image.
	images := map[string]ImageInfo{
		"0123456789ab": {ID: "sha256:0123456789abcdef", Context: filepath.Join(root, "proj"), Paths: []PathMapping{{"/app", "app"}}},
		"ba9876543210": {ID: "sha256:ba9876543210fedc", Context: filepath.Join(root, "other"), Paths: []PathMapping{{"/app", "app"}}},
	}
	for id, info := range images {
		b, _ := jsonMarshal(info)
		touch(t, data, "docker/"+id+"/"+SidecarName)
		os.WriteFile(filepath.Join(data, "docker", id, SidecarName), b, 0o644)
	}
	touch(t, data, "docker/hosts/c1", "docker/hosts/c2")
	os.WriteFile(filepath.Join(data, "docker", "hosts", "c1"), []byte("0123456789ab\n"), 0o644)
	os.WriteFile(filepath.Join(data, "docker", "hosts", "c2"), []byte("ba9876543210\n"), 0o644)
	f1 := filepath.Join(data, ".coverage.c1.pid7.Xab")
	f2 := filepath.Join(data, ".coverage.c2.pid9.Xcd")
	host := filepath.Join(data, ".coverage.myhost.pid1.Xef") // the host's own: untouched
	writeData(t, f1, map[string][]byte{"/app/a.py": {0x02}, "/app/c.py": {0x02}, "/etc/x.py": {0x02}})
	writeData(t, f2, map[string][]byte{"/app/a.py": {0x04}})
	writeData(t, host, map[string][]byte{"/app/a.py": {0x08}})
	user := func(p string) (string, bool) {
		if p == "/app/c.py" {
			return "/from/user/paths/c.py", true
		}
		return "", false
	}
	res, err := Remap(data, root, user)
	if err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(res.Files, []string{f1, f2}) || res.Mapped != 3 || !cmp.Equal(res.Dropped, []string{"/etc/x.py"}) {
		t.Errorf("Remap = %+v", res)
	}
	for f, want := range map[string]map[string][]byte{
		f1:   {filepath.Join(root, "proj", "app", "a.py"): {0x02}, "/from/user/paths/c.py": {0x02}},
		f2:   {filepath.Join(root, "other", "app", "a.py"): {0x04}},
		host: {"/app/a.py": {0x08}},
	} {
		if diff := cmp.Diff(want, readData(t, f)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", filepath.Base(f), diff)
		}
	}
	// Without Remap, RunMapper maps through every image at once.
	m := RunMapper(data, root)
	if got, ok := m("/app/a.py"); !ok || (got != filepath.Join(root, "proj", "app", "a.py") && got != filepath.Join(root, "other", "app", "a.py")) {
		t.Errorf("RunMapper(/app/a.py) = %q, %v", got, ok)
	}
	if _, ok := m(filepath.Join(root, "proj", "app", "a.py")); ok {
		t.Errorf("RunMapper remapped a host file")
	}
}

func TestDataFileHost(t *testing.T) {
	for name, want := range map[string]string{
		".coverage.0123456789ab.pid7.XaBc.HdEf": "0123456789ab",
		".coverage.web.local.pid12.Xz":          "web.local",
		".coverage.0123456789ab.12.345678":      "0123456789ab", // coverage.py 6
		".coverage.a.b.12.345678":               "a.b",
		".coverage.a.12.x":                      "",
		".coverage":                             "",
		".coverage.nopid":                       "",
	} {
		if got := dataFileHost(name); got != want {
			t.Errorf("dataFileHost(%q) = %q, want %q", name, got, want)
		}
	}
}
