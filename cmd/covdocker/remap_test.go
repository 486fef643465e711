package main

import (
	"bytes"
	"database/sql"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

func mkfile(t *testing.T, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The project's [paths] wins over the image's labels where it applies
// (/app/a.py: vendored/a.py exists); the labels map the rest (there is no
// vendored/b.py); container paths with no host file are dropped.
func TestRemapHonoursPaths(t *testing.T) {
	root := t.TempDir()
	mkfile(t, filepath.Join(root, "app", "a.py"), "")
	mkfile(t, filepath.Join(root, "app", "b.py"), "")
	mkfile(t, filepath.Join(root, "vendored", "a.py"), "")
	mkfile(t, filepath.Join(root, ".coveragerc"), "[paths]\nvend =\n    vendored/\n    /app/\n")
	data := t.TempDir()
	mkfile(t, filepath.Join(data, "docker", "0123456789ab", "covkit-image.json"),
		`{"id":"sha256:0123456789ab","context":"`+root+`","paths":[{"container":"/app","host":"app"}]}`)
	mkfile(t, filepath.Join(data, "docker", "hosts", "c1"), "0123456789ab\n")
	df := filepath.Join(data, ".coverage.c1.pid7.Xx")
	db, err := sql.Open("sqlite", df)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		"CREATE TABLE file (id integer primary key, path text, unique (path))",
		"CREATE TABLE line_bits (file_id integer, context_id integer, numbits blob, unique (file_id, context_id))",
		"CREATE TABLE tracer (file_id integer primary key, tracer text)",
		"INSERT INTO file VALUES (1, '/app/a.py'), (2, '/app/b.py'), (3, '/etc/python3.14/sitecustomize.py')",
		"INSERT INTO line_bits VALUES (1, 1, x'02'), (2, 1, x'02'), (3, 1, x'02')",
	} {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	var out, errb bytes.Buffer
	if code := run([]string{"remap", "--data", data, "--root", root}, nil, &out, &errb); code != 0 {
		t.Fatalf("remap exited %d: %s", code, errb.String())
	}
	if strings.TrimSpace(out.String()) != df || !strings.Contains(errb.String(), "warning: no host file for /etc/python3.14/sitecustomize.py: dropped") {
		t.Errorf("stdout %q stderr %q", out.String(), errb.String())
	}
	db, _ = sql.Open("sqlite", df)
	defer db.Close()
	rows, err := db.Query("SELECT path FROM file")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var p string
		rows.Scan(&p)
		got = append(got, p)
	}
	rows.Close()
	sort.Strings(got)
	want := []string{filepath.Join(root, "app", "b.py"), filepath.Join(root, "vendored", "a.py")}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("paths %v, want %v", got, want)
	}
}
