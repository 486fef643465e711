//go:build unix

package sqlitecov

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// umask reads the process umask, from /proc when it can (no set-and-restore
// race), so the data file gets the permissions a newly created file would.
var umask = sync.OnceValue(func() uint32 {
	if f, err := os.Open("/proc/self/status"); err == nil {
		defer f.Close()
		s := bufio.NewScanner(f)
		for s.Scan() {
			if v, ok := strings.CutPrefix(s.Text(), "Umask:"); ok {
				if n, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32); err == nil {
					return uint32(n)
				}
			}
		}
	}
	m := syscall.Umask(0)
	syscall.Umask(m)
	return uint32(m)
})
