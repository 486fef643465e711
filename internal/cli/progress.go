package cli

import (
	"fmt"
	"io"
	"os"
)

// ProgressThreshold is how many data files make a merge long enough to say
// so on a terminal.
const ProgressThreshold = 200

// Progress shows "TOOL: merging N data files..." on w while a merge of n
// files runs, when w is a terminal and n reaches ProgressThreshold, and
// erases it when done is called; elsewhere (a file, a pipe, a CI log) it
// prints nothing.
func Progress(w io.Writer, tool string, n int) (done func()) {
	f, ok := w.(*os.File)
	if !ok || n < ProgressThreshold || !IsTerminal(f) {
		return func() {}
	}
	fmt.Fprintf(w, "%s: merging %d data files...", tool, n)
	return func() { fmt.Fprint(w, "\r\033[K") }
}
