package lifecycle

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// progress shows a one-line "merging" notice on a terminal while a large
// merge runs, and erases it afterwards; elsewhere it prints nothing.
type progress struct {
	w     io.Writer
	shown bool
}

const progressThreshold = 200

func newProgress(w io.Writer, n int) *progress {
	p := &progress{w: w}
	f, ok := w.(*os.File)
	if !ok || n < progressThreshold {
		return p
	}
	if _, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS); err != nil {
		return p
	}
	fmt.Fprintf(w, "covrun: merging %d data files...", n)
	p.shown = true
	return p
}

func (p *progress) done() {
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
