package pth

import (
	"bytes"
	"fmt"
	"os"
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
