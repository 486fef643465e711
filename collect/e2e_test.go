package collect_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/covkit/covkit/internal/testbed"
	"github.com/covkit/covkit/internal/testcombine"
)

// TestRemoteEndToEnd: a suite under `covrun --collect` deploys to "other
// hosts" (containers of a covdocker image on a Docker network of their own,
// sharing no directory with the run): a long-running HTTP service the
// harness never stops, a batch worker that exits, a worker SIGKILLed after
// its work (checkpoint 1s), one container cut off from the network for a
// while and reconnected, a Python PID 1 stopped by docker stop (its data
// arrives only through the push on SIGTERM), and one pushing with a wrong
// token. The merged
// report must hold every line each of them ran, in host paths, beside the
// local process's; the wrong token must change nothing and be reported.
// testdata/decoy holds files of the same names, so only the image's path
// mapping, carried by the pushes, finds the host files.
func TestRemoteEndToEnd(t *testing.T) {
	bed := testbed.Get(t, "sid")
	base := bed.DockerImage(t)
	testbed.Program(t, "docker")
	if _, err := testbed.Lookup("host"); err != nil {
		t.Skipf("skipping: the run's own interpreter is the host bed's: %v", err)
	}
	bin := buildTools(t, "covrun", "covdocker")
	var r [4]byte
	rand.Read(r[:])
	prefix := "covkit-remote-" + hex.EncodeToString(r[:])
	img, network := prefix+"-img:1", prefix+"-net"
	t.Cleanup(func() {
		out, _ := exec.Command("docker", "ps", "-aq", "--filter", "name="+prefix).Output()
		if ids := strings.Fields(string(out)); len(ids) > 0 {
			exec.Command("docker", append([]string{"rm", "-f"}, ids...)...).Run()
		}
		exec.Command("docker", "network", "rm", network).Run()
		exec.Command("docker", "rmi", "-f", img).Run()
	})

	proj := t.TempDir()
	if err := os.CopyFS(proj, os.DirFS("testdata")); err != nil {
		t.Fatal(err)
	}
	build := exec.Command(filepath.Join(bin, "covdocker"), "build", "-q", "--build-arg", "BASE="+base, "-t", img, "remote")
	build.Dir = proj
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("covdocker build: %v\n%s", err, out)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "covrun"), "--no-docker", "--collect", "0.0.0.0:0", "--collect-wait", "40s",
		"--json", "cov.json", "--", "sh", "harness.sh", img, network, prefix, base)
	cmd.Dir = proj
	cmd.Env = append(append([]string{}, testbed.BaseEnv...), "PYTHONDONTWRITEBYTECODE=1")
	cmd.Env[2] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin:/usr/local/bin" // Debian's python3, not pyenv's
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	t.Logf("covrun (%v):\n%s%s", time.Since(start).Round(time.Millisecond), stdout.String(), stderr.String())
	if err != nil {
		t.Fatalf("covrun: %v", err)
	}
	// The summary: what arrived, and who was refused.
	if !regexp.MustCompile(`collector: 5 data files \(\d+ pushes\) from 5 processes on 5 hosts`).MatchString(stderr.String()) {
		t.Errorf("no collector summary naming the 5 measured containers")
	}
	if !regexp.MustCompile(`warning: collector: refused \d+ requests without the run's token \(from [0-9a-f.:]+\)`).MatchString(stderr.String()) {
		t.Errorf("the refused pushes are not reported")
	}
	// The service and the ticker (back on the network) answered the final
	// flush; the killed and stopped containers are not waited for.
	if m := regexp.MustCompile(`(\d+) of (\d+) live processes answered the final flush`).FindStringSubmatch(stderr.String()); m == nil || m[1] != m[2] || len(m[1]) == 1 && m[1] < "2" {
		t.Errorf("the live services did not all answer the final flush: %v", m)
	}

	// The report: host paths, every line each container ran.
	files, names := testcombine.ReadJSON(t, filepath.Join(proj, "cov.json"))
	want := []string{"local.py", "remote/batch.py", "remote/killed.py", "remote/service.py", "remote/stopped.py", "remote/ticker.py"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("reported files %v, want %v (no container paths, nothing from the wrong token)", names, want)
	}
	for _, n := range want {
		run, never := markedLines(t, filepath.Join(proj, n))
		got := map[int]bool{}
		for _, l := range files[n].ExecutedLines {
			got[l] = true
		}
		for _, l := range run {
			if !got[l] {
				t.Errorf("%s: line %d ran but is not in the report (executed %v)", n, l, files[n].ExecutedLines)
			}
		}
		for _, l := range never {
			if got[l] {
				t.Errorf("%s: line %d never ran but is reported", n, l)
			}
		}
	}
	// Nothing on the containers' output but their own, the one cut off
	// from the network included.
	for name, want := range map[string]string{"svc": "", "ticker": "ticker started\nticker during\n", "killed": "work done\n", "stopped": "stopped ready\n"} {
		out, err := exec.Command("docker", "logs", prefix+"-"+name).CombinedOutput()
		if err != nil || string(out) != want {
			t.Errorf("%s's output: %q (%v), want %q", name, out, err, want)
		}
	}
	// The service was never stopped: the harness left it running.
	out, _ := exec.Command("docker", "inspect", "-f", "{{.State.Running}}", prefix+"-svc").Output()
	if strings.TrimSpace(string(out)) != "true" {
		t.Errorf("the service is not running any more: %q", out)
	}
}

// markedLines are the lines marked "# run" and "# never" in a source file.
func markedLines(t *testing.T, path string) (run, never []int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(b), "\n") {
		switch {
		case strings.HasSuffix(l, "# run"):
			run = append(run, i+1)
		case strings.HasSuffix(l, "# never"):
			never = append(never, i+1)
		}
	}
	return run, never
}

// buildTools builds static covkit commands into a directory of their own.
func buildTools(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range names {
		c := exec.Command("go", "build", "-o", filepath.Join(dir, n), "./cmd/"+n)
		c.Dir = testbed.RepoRoot()
		c.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("building %s: %v\n%s", n, err, out)
		}
	}
	return dir
}
