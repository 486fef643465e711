package testbed_test

import (
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	_ "modernc.org/sqlite"

	"github.com/covkit/covkit/internal/testbed"
	"github.com/covkit/covkit/internal/testfiles"
)

// dataFiles opens every .coverage.* file in dir as SQLite and returns, per
// file, the measured source basenames it records.
func dataFiles(t *testing.T, dir, under string) map[string][]string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, ".coverage.*"))
	got := map[string][]string{}
	for _, f := range m {
		db, err := sql.Open("sqlite", "file:"+f+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		rows, err := db.Query("select path from file")
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		var names []string
		for rows.Next() {
			var p string
			if err := rows.Scan(&p); err != nil {
				t.Fatal(err)
			}
			// The host's coverage 6.5 also records setuptools' _distutils_hack,
			// imported by a .pth at start-up: only the program's files matter here.
			if strings.HasPrefix(p, under+"/") {
				names = append(names, filepath.Base(p))
			}
		}
		rows.Close()
		db.Close()
		sort.Strings(names)
		got[filepath.Base(f)] = names
	}
	return got
}

type jsonReport struct {
	Files map[string]struct {
		ExecutedLines []int `json:"executed_lines"`
		MissingLines  []int `json:"missing_lines"`
	} `json:"files"`
}

// checkTwoProc verifies what coverage.py recorded for testdata/twoproc.
func checkTwoProc(t *testing.T, host, inBed string, combineAndReport func() string) {
	t.Helper()
	files := dataFiles(t, host, inBed)
	if len(files) != 2 {
		t.Fatalf("want 2 parallel data files (parent and child), got %v", files)
	}
	var all []string
	for _, names := range files {
		all = append(all, strings.Join(names, ","))
	}
	sort.Strings(all)
	if diff := cmp.Diff([]string{"child.py", "parent.py"}, all); diff != "" {
		t.Errorf("each process should record its own file (-want +got):\n%s", diff)
	}
	var rep jsonReport
	if err := json.Unmarshal([]byte(combineAndReport()), &rep); err != nil {
		t.Fatal(err)
	}
	child := rep.Files["child.py"]
	if diff := cmp.Diff([]int{1, 4, 5, 8, 12}, child.ExecutedLines); diff != "" {
		t.Errorf("child.py executed lines (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{9}, child.MissingLines); diff != "" {
		t.Errorf("child.py missing lines (-want +got):\n%s", diff)
	}
}

// TestBedsAreReal runs a two-process program under real coverage.py in each
// bed and reads back the data files it wrote.
func TestBedsAreReal(t *testing.T) {
	for _, name := range testbed.Names {
		t.Run(name, func(t *testing.T) {
			b := testbed.Get(t, name)
			host, dir := b.TempDir(t)
			testfiles.CopyDir(t, "testdata/twoproc", host)
			r := b.MustRun(t, dir, nil, b.Python, "-m", "coverage", "run", "-p", "parent.py")
			if !strings.Contains(r.Stdout, "child 49") || !strings.Contains(r.Stdout, "parent done") {
				t.Fatalf("unexpected output: %q", r.Stdout)
			}
			checkTwoProc(t, host, dir, func() string {
				b.MustRun(t, dir, nil, b.Python, "-m", "coverage", "combine", "--keep")
				return b.MustRun(t, dir, nil, b.Python, "-m", "coverage", "json", "-o", "-").Stdout
			})
		})
	}
}

// TestBedImagesAreReal does the same inside each bed's Docker image.
func TestBedImagesAreReal(t *testing.T) {
	for _, name := range []string{"trixie", "sid"} {
		t.Run(name, func(t *testing.T) {
			b := testbed.Get(t, name)
			img := b.DockerImage(t)
			host := t.TempDir()
			testfiles.CopyDir(t, "testdata/twoproc", host)
			docker := func(args ...string) string {
				a := append([]string{"run", "--rm", "--network", "none", "-v", host + ":/w", "-w", "/w", img}, args...)
				out, err := runCmd("docker", a...)
				if err != nil {
					t.Fatalf("docker %v: %v\n%s", args, err, out)
				}
				return out
			}
			out := docker("python3", "-m", "coverage", "run", "-p", "parent.py")
			if !strings.Contains(out, "child 49") {
				t.Fatalf("unexpected output: %q", out)
			}
			checkTwoProc(t, host, "/w", func() string {
				docker("python3", "-m", "coverage", "combine", "--keep")
				return docker("python3", "-m", "coverage", "json", "-o", "-")
			})
		})
	}
}

// TestImageRepo checks that COVKIT_TESTBED_IMAGE names the beds' images, so a
// second checkout on the same Docker engine (testbed/fresh-check) never
// replaces the images other test runs use.
func TestImageRepo(t *testing.T) {
	b := &testbed.Bed{Name: "sid"}
	t.Setenv("COVKIT_TESTBED_IMAGE", "")
	if got := b.Image(); got != "covkit-testbed:sid" {
		t.Errorf("Image() = %q, want covkit-testbed:sid", got)
	}
	t.Setenv("COVKIT_TESTBED_IMAGE", "covkit-fresh-1-testbed")
	if got := b.Image(); got != "covkit-fresh-1-testbed:sid" {
		t.Errorf("with COVKIT_TESTBED_IMAGE: Image() = %q, want covkit-fresh-1-testbed:sid", got)
	}
}

// TestTempDirIsShort checks that a bed's temporary directory is named
// independently of the test: with a long test name and a long $TMPDIR the
// host bed's directory used to leave multiprocessing's forkserver socket
// (pymp-XXXXXXXX/listener-XXXXXXXX below it) past the 108-byte AF_UNIX limit.
func TestTempDirIsShort(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	t.Run("a_test_whose_name_is_long_enough_to_matter_for_socket_paths", func(t *testing.T) {
		b := &testbed.Bed{Name: "host"}
		host, inBed := b.TempDir(t)
		if host != inBed {
			t.Errorf("host bed: TempDir gave %q on the host and %q in the bed", host, inBed)
		}
		if max := len(os.TempDir()) + len("/covkit-test-") + 20; len(host) > max {
			t.Errorf("TempDir() = %q: %d bytes, want at most %d (not named after the test)", host, len(host), max)
		}
		if fi, err := os.Stat(host); err != nil || !fi.IsDir() {
			t.Errorf("TempDir() = %q: not a directory (%v)", host, err)
		}
	})
}
