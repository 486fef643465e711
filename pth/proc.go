package pth

import (
	"bytes"
	"strconv"
)

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
