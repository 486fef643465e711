package pth

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// procStart returns the start time of pid (seconds.microseconds, from the
// kern.proc.pid sysctl: macOS has no /proc), which together with the pid
// names one process even after the pid is reused.
func procStart(pid int) (string, error) {
	k, err := unix.SysctlKinfoProc("kern.proc.pid", pid)
	if err != nil {
		return "", err
	}
	if int(k.Proc.P_pid) != pid {
		return "", fmt.Errorf("no process %d", pid)
	}
	t := k.Proc.P_starttime
	return fmt.Sprintf("%d.%06d", t.Sec, t.Usec), nil
}
