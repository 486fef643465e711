package pth

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
)

// procStart returns the start time (clock ticks since boot, field 22 of
// /proc/PID/stat) of pid, which together with the pid names one process
// even after the pid is reused.
func procStart(pid int) (string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", err
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 > len(b) {
		return "", fmt.Errorf("malformed /proc/%d/stat", pid)
	}
	f := bytes.Fields(b[i+2:])
	if len(f) < 20 {
		return "", fmt.Errorf("malformed /proc/%d/stat", pid)
	}
	return string(f[19]), nil
}

// alive reports whether the process pid that started at start still runs.
// pid 0 means "no owner" (a detached run) and is always alive.
func alive(pid int, start string) bool {
	if pid == 0 {
		return true
	}
	s, err := procStart(pid)
	return err == nil && s == start
}

// kv is the key=value file format the bootstrap reads without importing
// anything.
type kv map[string]string

func parseKV(b []byte) kv {
	m := kv{}
	for _, line := range bytes.Split(b, []byte("\n")) {
		k, v, ok := bytes.Cut(line, []byte("="))
		if ok {
			m[string(bytes.TrimSpace(k))] = string(v)
		}
	}
	return m
}

func (m kv) int(k string) int {
	n, _ := strconv.Atoi(m[k])
	return n
}
