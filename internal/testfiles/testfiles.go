// Package testfiles holds the file helpers tests share: writing a tree of
// files, copying files and trees, and taking the time stamps out of
// reports so that two runs compare equal.
package testfiles

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// Write writes files (name relative to dir -> content) under dir, making
// the directories they need.
func Write(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o666); err != nil {
			t.Fatal(err)
		}
	}
}

// CopyFile copies the file from to the file to and returns its content.
func CopyFile(t testing.TB, from, to string) []byte {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o666); err != nil {
		t.Fatal(err)
	}
	return b
}

// CopyDir copies the tree src into dst (os.CopyFS: regular files and
// directories; dst's files must not exist yet).
func CopyDir(t testing.TB, src, dst string) {
	t.Helper()
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
}

var (
	xmlStamp  = regexp.MustCompile(` timestamp="\d+"`)
	jsonStamp = regexp.MustCompile(`"timestamp": "[^"]*"`)
)

// WithoutTimestamps replaces the time stamps of XML and JSON reports, what
// may differ between two runs, with "T".
func WithoutTimestamps(s string) string {
	s = xmlStamp.ReplaceAllString(s, ` timestamp="T"`)
	return jsonStamp.ReplaceAllString(s, `"timestamp": "T"`)
}
