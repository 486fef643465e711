//go:build linux

package dockerkit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// EnvInitGrace is how long Init waits, after the main process ended, for
// the processes left over to save their data and exit (Go duration;
// default 5s). docker stop's own timeout still bounds a stop.
const EnvInitGrace = "COVKIT_INIT_GRACE"

// Init runs args as the main process of a container and stays PID 1
// (Docker's --init does the same job, but ends the container the moment
// its child does, so Python processes under a shell die by SIGKILL while
// they save). Init:
//   - broadcasts SIGTERM and SIGINT to every process of the container
//     (kill(-1)), so Python under a shell that does not forward signals still
//     gets docker stop's SIGTERM and saves its data; other signals go to the
//     main process;
//   - reaps every process (orphans included: it is PID 1, or a subreaper);
//   - when the main process ends, sends SIGTERM once to whatever is left
//     (unless a SIGTERM was broadcast already) and waits for all of it to
//     exit, at most EnvInitGrace, then exits with the main process's status
//     (128+N for a signal).
func Init(args []string, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "covdocker init: no command")
		return 2
	}
	grace := 5 * time.Second
	if v, err := time.ParseDuration(os.Getenv(EnvInitGrace)); err == nil && v >= 0 {
		grace = v
	}
	if os.Getpid() != 1 {
		// PR_SET_CHILD_SUBREAPER: orphans come to us, as they would to PID 1.
		syscall.RawSyscall(syscall.SYS_PRCTL, 36, 1, 0)
	}
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGQUIT,
		syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGWINCH, syscall.SIGCONT)
	path, err := exec.LookPath(args[0])
	if err != nil {
		fmt.Fprintf(stderr, "covdocker init: %v\n", err)
		return 127
	}
	p, err := os.StartProcess(path, args, &os.ProcAttr{Files: []*os.File{os.Stdin, os.Stdout, os.Stderr}, Env: os.Environ()})
	if err != nil {
		fmt.Fprintf(stderr, "covdocker init: %v\n", err)
		return 126
	}
	type exit struct {
		pid int
		ws  syscall.WaitStatus
	}
	exits := make(chan exit, 16)
	go func() {
		for {
			var ws syscall.WaitStatus
			pid, err := syscall.Wait4(-1, &ws, 0, nil)
			if errors.Is(err, syscall.EINTR) {
				continue
			}
			if err != nil { // ECHILD: nobody left
				close(exits)
				return
			}
			exits <- exit{pid, ws}
		}
	}()
	code, mainDone, termSent := 0, false, false
	var deadline <-chan time.Time
	broadcast := func(s syscall.Signal) {
		if os.Getpid() == 1 {
			// PID 1 of the container's pid namespace: -1 reaches every
			// other process in it.
			syscall.Kill(-1, s)
			return
		}
		// Anywhere else kill(-1) would reach the whole machine: signal
		// our descendants only.
		for _, pid := range descendants(os.Getpid()) {
			syscall.Kill(pid, s)
		}
	}
	for {
		select {
		case s := <-sigs:
			sig := s.(syscall.Signal)
			if sig == syscall.SIGTERM || sig == syscall.SIGINT {
				if !termSent {
					termSent = true
					broadcast(sig)
				}
				continue
			}
			if !mainDone {
				p.Signal(sig)
			}
		case e, ok := <-exits:
			if !ok {
				return code
			}
			if e.pid != p.Pid {
				continue
			}
			mainDone = true
			switch {
			case e.ws.Signaled():
				code = 128 + int(e.ws.Signal())
			default:
				code = e.ws.ExitStatus()
			}
			if !termSent {
				termSent = true
				broadcast(syscall.SIGTERM)
			}
			deadline = time.After(grace)
		case <-deadline:
			return code
		}
	}
}

// descendants lists the processes below pid, from /proc.
func descendants(pid int) []int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	parent := map[int]int{}
	for _, e := range ents {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// The field after the parenthesised command name is the state,
		// then the parent pid.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) < 2 {
			continue
		}
		if pp, err := strconv.Atoi(f[1]); err == nil {
			parent[n] = pp
		}
	}
	var out []int
	for n := range parent {
		for p, hops := parent[n], 0; p > 0 && hops < 4096; p, hops = parent[p], hops+1 {
			if p == pid {
				out = append(out, n)
				break
			}
		}
	}
	sort.Ints(out)
	return out
}
