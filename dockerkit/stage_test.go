package dockerkit

import (
	"archive/zip"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// tree lists the regular files under dir, slash-separated.
func tree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(out)
	return out
}

func TestStageCoverage(t *testing.T) {
	src := t.TempDir()
	// A site directory holding coverage.py and something else.
	site := filepath.Join(src, "site")
	touch(t, site, "coverage/__init__.py", "coverage/html.py", "coverage/__pycache__/x.pyc",
		"coverage-7.0.dist-info/METADATA", "pytest/__init__.py")
	// A wheel.
	whl := filepath.Join(src, "coverage-7.0-py3-none-any.whl")
	f, _ := os.Create(whl)
	zw := zip.NewWriter(f)
	for _, n := range []string{"coverage/__init__.py", "coverage-7.0.dist-info/RECORD", "coverage-7.0.data/scripts/coverage"} {
		w, _ := zw.Create(n)
		w.Write([]byte("#\n"))
	}
	zw.Close()
	f.Close()

	tests := []struct {
		name string
		o    BuildOptions
		want []string
	}{
		{"site dir", BuildOptions{CoverageDir: site}, []string{"coverage-7.0.dist-info/METADATA", "coverage/__init__.py", "coverage/html.py"}},
		{"package dir", BuildOptions{CoverageDir: filepath.Join(site, "coverage")}, []string{"coverage/__init__.py", "coverage/html.py"}},
		{"wheel", BuildOptions{CoverageWheel: whl}, []string{"coverage-7.0.dist-info/RECORD", "coverage/__init__.py"}},
		{"none", BuildOptions{}, nil},
	}
	if _, err := exec.LookPath("dpkg-deb"); err == nil {
		pkg := filepath.Join(src, "pkg")
		touch(t, pkg, "usr/lib/python3/dist-packages/coverage/__init__.py", "usr/bin/python3-coverage")
		os.MkdirAll(filepath.Join(pkg, "DEBIAN"), 0o755)
		os.WriteFile(filepath.Join(pkg, "DEBIAN", "control"), []byte("Package: python3-coverage\nVersion: 1\nArchitecture: all\nMaintainer: t <t@t>\nDescription: t\n"), 0o644)
		deb := filepath.Join(src, "c.deb")
		if out, err := exec.Command("dpkg-deb", "--root-owner-group", "-b", pkg, deb).CombinedOutput(); err != nil {
			t.Fatalf("dpkg-deb -b: %v\n%s", err, out)
		}
		tests = append(tests, struct {
			name string
			o    BuildOptions
			want []string
		}{"deb", BuildOptions{CoverageDeb: deb}, []string{"coverage/__init__.py"}})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			how, err := stageCoverage(context.Background(), tc.o, dir)
			if err != nil {
				t.Fatal(err)
			}
			if (how == "") != (tc.want == nil) {
				t.Errorf("stageCoverage said %q", how)
			}
			if diff := cmp.Diff(tc.want, tree(t, dir)); diff != "" {
				t.Errorf("staged (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := stageCoverage(context.Background(), BuildOptions{CoverageDir: filepath.Join(site, "pytest", "..", "..")}, t.TempDir()); err == nil {
		t.Error("a directory without coverage staged")
	}
}
