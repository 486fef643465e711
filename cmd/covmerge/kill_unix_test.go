//go:build unix

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/covkit/covkit/sqlitecov"
)

// A covmerge killed (SIGKILL) while writing leaves its hidden staging file
// beside .coverage; the next covmerge into the same place removes it and
// writes the right data (issue 16: ..coverage.tmpNNN, up to 100 MB, stayed
// for good).
func TestKilledMergeLeavesNoStagingFile(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: merges enough data to be killed in the middle of writing it")
	}
	dir := t.TempDir()
	// Two inputs of 40 files with 250 arcs each: the second's arcs are
	// the first's shifted by one line, so the union has 251 per file.
	want := map[string][][2]int{}
	for i := range 2 {
		d := sqlitecov.NewData()
		d.Meta["version"] = "7.16.1"
		d.HasArcs = true
		for f := range 40 {
			p := fmt.Sprintf("/src/pkg/mod_%03d.py", f)
			arcs := make([][2]int, 0, 250)
			for l := range 250 {
				arcs = append(arcs, [2]int{l + i, l + 1 + i})
			}
			d.File(p).Arcs = map[string][][2]int{"": arcs}
			if i == 1 {
				want[p] = append([][2]int{{0, 1}}, arcs...)
			}
		}
		if err := sqlitecov.WriteFile(filepath.Join(dir, fmt.Sprintf(".coverage.%d", i)), d); err != nil {
			t.Fatal(err)
		}
	}

	cmd := exec.Command("covmerge")
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	staging := ""
	for staging == "" {
		select {
		case <-exited:
			t.Fatal("covmerge finished before a staging file was seen: merge more data")
		case <-time.After(time.Millisecond):
		}
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), "..coverage.") {
				staging = e.Name()
			}
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	<-exited
	if _, err := os.Stat(filepath.Join(dir, staging)); err != nil {
		t.Fatalf("killed mid-write, covmerge left no staging file (%v): the test killed it too late", err)
	}

	again := exec.Command("covmerge")
	again.Dir = dir
	if out, err := again.CombinedOutput(); err != nil {
		t.Fatalf("the next covmerge: %v\n%s", err, out)
	}
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if diff := cmp.Diff([]string{".coverage"}, names); diff != "" {
		t.Errorf("files after the next merge (-want +got):\n%s", diff)
	}
	got, err := sqlitecov.ReadFile(filepath.Join(dir, ".coverage"))
	if err != nil {
		t.Fatal(err)
	}
	arcs := map[string][][2]int{}
	for p, f := range got.Files {
		arcs[p] = f.Arcs[""]
	}
	if diff := cmp.Diff(want, arcs); diff != "" {
		t.Errorf("merged data (-want +got):\n%s", diff)
	}
}
