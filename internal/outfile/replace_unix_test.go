//go:build unix

package outfile

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestReplace: in covkit's own directories a planted symlink or FIFO is
// replaced, never written through, and no temporary file is left.
func TestReplace(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(t.TempDir(), "victim")
	os.WriteFile(victim, []byte("keep"), 0o644)
	tests := []struct {
		name  string
		plant func(p string) error
	}{
		{"missing", func(string) error { return nil }},
		{"regular", func(p string) error { return os.WriteFile(p, []byte("old"), 0o644) }},
		{"symlink", func(p string) error { return os.Symlink(victim, p) }},
		{"fifo", func(p string) error { return syscall.Mkfifo(p, 0o644) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, tt.name)
			if err := tt.plant(p); err != nil {
				t.Fatal(err)
			}
			if err := Replace(p, ".tmp-", []byte("new")); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Lstat(p)
			if err != nil || !fi.Mode().IsRegular() {
				t.Fatalf("%s: %v, %v", p, fi.Mode(), err)
			}
			if b, _ := os.ReadFile(p); string(b) != "new" {
				t.Errorf("content %q", b)
			}
			if b, _ := os.ReadFile(victim); string(b) != "keep" {
				t.Errorf("written through to the symlink's target: %q", b)
			}
		})
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".tmp-*")); len(m) > 0 {
		t.Errorf("temporary files left: %v", m)
	}
}
