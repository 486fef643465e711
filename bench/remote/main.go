// Command remote measures what pushing coverage to a run's collector costs
// (docs/kubernetes.md has the figures):
//
//	go run ./bench/remote [-bed sid] [-services 20] [-rounds 3] [-secs 10] [flush] [overhead] [idle]
//
// Figures:
//
//	flush     covrun --collect runs a harness that starts N live services
//	          (containers of a covdocker image, each pushing to the run) and
//	          ends; the figure is the time from the harness's end to covrun's
//	          exit, report written: the final flush, the merge and the report.
//	overhead  one service in a container answers a request loop (keep-alive
//	          HTTP, JSON, a load process beside it that is not measured):
//	          requests/s and the service's CPU per request with the hook
//	          inert, measured and pushing only at exit (checkpoint 1h), and
//	          pushing every second (COVKIT_CHECKPOINT=1s); modes alternate
//	          round by round, medians.
//	idle      the pusher's own cost, where nothing else runs: the CPU time of
//	          an idle service over -secs seconds, in the same three modes
//	          (all its threads, from /proc/PID/task/*/schedstat).
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/covkit/covkit/bench/internal/benchkit"
	"github.com/covkit/covkit/collect"
	"github.com/covkit/covkit/internal/testbed"
)

func main() {
	bed := flag.String("bed", "sid", "test bed whose Docker image is the services' base")
	services := flag.Int("services", 20, "live services for the flush figure")
	rounds := flag.Int("rounds", 3, "timed rounds")
	secs := flag.Float64("secs", 10, "seconds of request loop per overhead round")
	flag.Parse()
	which := flag.Args()
	if len(which) == 0 {
		which = []string{"flush", "overhead", "idle"}
	}
	b := &bench{bed: *bed, services: *services, rounds: *rounds, secs: *secs}
	err := b.setup()
	defer b.cleanup()
	for _, w := range which {
		if err != nil {
			break
		}
		switch w {
		case "flush":
			err = b.flush()
		case "overhead":
			err = b.overhead()
		case "idle":
			err = b.idle()
		default:
			err = fmt.Errorf("unknown figure %q", w)
		}
	}
	benchkit.Exit(err)
}

type bench struct {
	bed                     string
	services, rounds        int
	secs                    float64
	bin, dir, prefix, image string
	base                    string
}

func (b *bench) setup() error {
	bed, err := testbed.Lookup(b.bed)
	if err != nil {
		return err
	}
	b.base = bed.Image()
	var r [4]byte
	rand.Read(r[:])
	b.prefix = "covkit-rbench-" + hex.EncodeToString(r[:])
	b.image = b.prefix + ":1"
	if b.dir, err = os.MkdirTemp("", "covkit-rbench-"); err != nil {
		return err
	}
	b.bin = filepath.Join(b.dir, "bin")
	if err := benchkit.Build(b.bin, "covrun", "covdocker"); err != nil {
		return err
	}
	c := exec.Command(filepath.Join(b.bin, "covdocker"), "build", "-q", "--build-arg", "BASE="+b.base, "-t", b.image,
		filepath.Join(testbed.RepoRoot(), "bench", "remote", "image"))
	if out, err := c.CombinedOutput(); err != nil {
		return fmt.Errorf("covdocker build: %v\n%s", err, out)
	}
	return nil
}

func (b *bench) cleanup() {
	out, _ := exec.Command("docker", "ps", "-aq", "--filter", "name="+b.prefix).Output()
	if ids := strings.Fields(string(out)); len(ids) > 0 {
		exec.Command("docker", append([]string{"rm", "-f"}, ids...)...).Run()
	}
	exec.Command("docker", "network", "rm", b.prefix+"-net").Run()
	exec.Command("docker", "rmi", "-f", b.image).Run()
	if b.dir != "" {
		os.RemoveAll(b.dir)
	}
}

const harness = `set -eu
img=$1 net=$2 p=$3 n=$4 end=$5
port=${COVKIT_COLLECT_ADDR##*:}
docker network create "$net" >/dev/null 2>&1 || true
gw=$(docker network inspect -f '{{(index .IPAM.Config 0).Gateway}}' "$net")
i=0
while [ $i -lt $n ]; do
  docker run -d --network "$net" --name "$p-s$i" -e COVKIT_COLLECT="http://$gw:$port" -e COVKIT_TOKEN="$COVKIT_COLLECT_TOKEN" \
    "$img" python3 /srv/service.py 8000 >/dev/null
  i=$((i+1))
done
i=0
while [ $i -lt $n ]; do
  until docker logs "$p-s$i" 2>&1 | grep -q ready; do sleep 0.1; done
  i=$((i+1))
done
sleep 2
date +%s.%N >"$end"
`

// flush times the end of a run with live services.
func (b *bench) flush() error {
	if err := os.WriteFile(filepath.Join(b.dir, "harness.sh"), []byte(harness), 0o644); err != nil {
		return err
	}
	var times []float64
	for r := 0; r < b.rounds; r++ {
		p := fmt.Sprintf("%s-r%d", b.prefix, r)
		end := filepath.Join(b.dir, "end")
		c := exec.Command(filepath.Join(b.bin, "covrun"), "--no-docker", "--collect", "0.0.0.0:0", "--", "sh", "harness.sh",
			b.image, b.prefix+"-net", p, strconv.Itoa(b.services), end)
		c.Dir = b.dir
		c.Env = append(slices.Clone(testbed.BaseEnv), "PYTHONDONTWRITEBYTECODE=1")
		var stderr bytes.Buffer
		c.Stdout, c.Stderr = &stderr, &stderr
		err := c.Run()
		done := time.Now()
		if err != nil {
			return fmt.Errorf("covrun: %v\n%s", err, stderr.Bytes())
		}
		eb, err := os.ReadFile(end)
		if err != nil {
			return err
		}
		f, _ := strconv.ParseFloat(strings.TrimSpace(string(eb)), 64)
		d := float64(done.UnixNano())/1e9 - f
		times = append(times, d)
		summary := ""
		for _, l := range strings.Split(stderr.String(), "\n") {
			if strings.Contains(l, "collector:") {
				summary += "\n    " + l
			}
		}
		fmt.Printf("flush round %d: %d live services, end of command to report %.2fs%s\n", r+1, b.services, d, summary)
		out, _ := exec.Command("docker", "ps", "-aq", "--filter", "name="+p+"-").Output()
		if ids := strings.Fields(string(out)); len(ids) > 0 {
			exec.Command("docker", append([]string{"rm", "-f"}, ids...)...).Run()
		}
	}
	fmt.Printf("flush: %d live services: median %.2fs (min %.2fs, max %.2fs) from the end of the command to the report\n",
		b.services, benchkit.Median(times), slices.Min(times), slices.Max(times))
	return nil
}

// pushMode is one way a service runs: its environment.
type pushMode struct {
	name string
	env  []string
}

// pushModes are the service's modes: the client inert, pushing only at
// exit, and pushing every second.
func pushModes(url, token string) []pushMode {
	push := []string{"COVKIT_COLLECT=" + url, "COVKIT_TOKEN=" + token}
	return []pushMode{
		{"inert", nil},
		{"push at exit", append(slices.Clip(push), "COVKIT_CHECKPOINT=1h")},
		{"push every 1s", append(slices.Clip(push), "COVKIT_CHECKPOINT=1s")},
	}
}

// overhead runs the request loop in each mode, alternating.
func (b *bench) overhead() error {
	url, token, net, stop, err := b.collector()
	if err != nil {
		return err
	}
	defer stop()
	modes := pushModes(url, token)
	rates, cpus := map[string][]float64{}, map[string][]float64{}
	for r := 0; r < b.rounds; r++ {
		for _, m := range modes {
			args := []string{"run", "--rm", "--network", net, "--name", fmt.Sprintf("%s-o%d", b.prefix, r)}
			for _, e := range m.env {
				args = append(args, "-e", e)
			}
			// The service's CPU time (clock ticks) once the loop is over.
			script := fmt.Sprintf("python3 /srv/service.py 8000 >/dev/null & sp=$!; env -u COVKIT_COLLECT python3 /srv/load.py 8000 %g; awk '{print $14+$15}' /proc/$sp/stat; kill $sp; wait", b.secs)
			args = append(args, b.image, "sh", "-c", script)
			ctx, cancel := context.WithTimeout(context.Background(), time.Duration(b.secs+120)*time.Second)
			out, err := exec.CommandContext(ctx, "docker", args...).CombinedOutput()
			cancel()
			if err != nil {
				return fmt.Errorf("%s: %v\n%s", m.name, err, out)
			}
			var v, reqs, ticks float64
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			if len(lines) < 2 {
				return fmt.Errorf("%s: %q", m.name, out)
			}
			if _, err := fmt.Sscan(lines[len(lines)-2]+" "+lines[len(lines)-1], &v, &reqs, &ticks); err != nil {
				return fmt.Errorf("%s: %q: %v", m.name, out, err)
			}
			cpu := ticks * 10 / reqs * 1000 // ms per 1000 requests (100 ticks/s)
			rates[m.name] = append(rates[m.name], v)
			cpus[m.name] = append(cpus[m.name], cpu)
			fmt.Printf("overhead round %d: %-14s %8.1f requests/s  service CPU %.1f ms per 1000 requests\n", r+1, m.name, v, cpu)
		}
	}
	base := benchkit.Median(rates["inert"])
	exit := benchkit.Median(rates["push at exit"])
	cbase, cexit := benchkit.Median(cpus["inert"]), benchkit.Median(cpus["push at exit"])
	for _, m := range modes {
		v, c := benchkit.Median(rates[m.name]), benchkit.Median(cpus[m.name])
		fmt.Printf("overhead: %-14s median %8.1f requests/s (%+.1f%% vs inert, %+.1f%% vs push at exit); service CPU %.1f ms per 1000 requests (%+.1f%% vs inert, %+.1f%% vs push at exit)\n",
			m.name, v, 100*(v/base-1), 100*(v/exit-1), c, 100*(c/cbase-1), 100*(c/cexit-1))
	}
	return nil
}

// idle measures what the pusher costs an idle service per second.
func (b *bench) idle() error {
	url, token, net, stop, err := b.collector()
	if err != nil {
		return err
	}
	defer stop()
	modes := pushModes(url, token)
	cpu := map[string][]float64{}
	for r := 0; r < b.rounds; r++ {
		for _, m := range modes {
			args := []string{"run", "--rm", "--network", net, "--name", fmt.Sprintf("%s-i%d", b.prefix, r)}
			for _, e := range m.env {
				args = append(args, "-e", e)
			}
			// CPU from the end of start-up (ready) to -secs later.
			script := fmt.Sprintf(`python3 /srv/service.py 8000 >/tmp/out & sp=$!
until grep -q ready /tmp/out; do sleep 0.05; done
sleep 1
a=$(cat /proc/$sp/task/*/schedstat | awk '{s+=$1} END {print s}')
sleep %g
b=$(cat /proc/$sp/task/*/schedstat | awk '{s+=$1} END {print s}')
echo $((b-a)); kill $sp; wait`, b.secs)
			args = append(args, b.image, "sh", "-c", script)
			out, err := exec.Command("docker", args...).CombinedOutput()
			if err != nil {
				return fmt.Errorf("%s: %v\n%s", m.name, err, out)
			}
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			ns, err := strconv.ParseFloat(lines[len(lines)-1], 64)
			if err != nil {
				return fmt.Errorf("%s: %q", m.name, out)
			}
			perSec := ns / 1e6 / b.secs
			cpu[m.name] = append(cpu[m.name], perSec)
			fmt.Printf("idle round %d: %-14s %.3f ms CPU per second\n", r+1, m.name, perSec)
		}
	}
	for _, m := range modes {
		fmt.Printf("idle: %-14s median %.3f ms CPU per second (%.3f%% of a core)\n", m.name, benchkit.Median(cpu[m.name]), benchkit.Median(cpu[m.name])/10)
	}
	return nil
}

// collector serves a collector on a Docker network's gateway for the
// containers of the overhead figures.
func (b *bench) collector() (url, token, net string, stop func(), err error) {
	net = b.prefix + "-net"
	exec.Command("docker", "network", "create", net).Run()
	out, err := exec.Command("docker", "network", "inspect", "-f", "{{(index .IPAM.Config 0).Gateway}}", net).Output()
	if err != nil {
		return "", "", "", nil, fmt.Errorf("network: %v", err)
	}
	gw := strings.TrimSpace(string(out))
	dataDir := filepath.Join(b.dir, "data-"+strconv.FormatInt(time.Now().UnixNano(), 36))
	os.MkdirAll(dataDir, 0o700)
	s, err := collect.Start(collect.Options{Addr: "0.0.0.0:0", DataDir: dataDir})
	if err != nil {
		return "", "", "", nil, err
	}
	port := s.Addr()[strings.LastIndex(s.Addr(), ":")+1:]
	return "http://" + gw + ":" + port, s.Token(), net, func() { s.Close() }, nil
}
