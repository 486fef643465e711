// Package child runs a command as covkit's commands do: signals sent to
// covkit are forwarded to it, and its exit status is passed on as a shell
// reports it (its code, or 128+N when signal N killed it).
package child

import (
	"context"
	"io"
	"time"
)

// Command is the command to run and its standard streams.
type Command struct {
	Args   []string
	Env    []string // full environment; Args[0] is looked up on its PATH
	Dir    string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// SameGroup keeps the command in covkit's process group (a wrapper
	// such as the docker shim, which the terminal signals directly) and
	// forwards signals to it alone. Otherwise it leads a group of its own,
	// takes the terminal's foreground, and signals go to the whole group.
	SameGroup bool
	// GroupGrace bounds how long Run waits, after a group's leader has
	// exited, for the rest of the group (DefaultGroupGrace if 0).
	GroupGrace time.Duration
	// Context, when done, sends SIGTERM as a forwarded signal would.
	Context context.Context
}

// DefaultGroupGrace is how long leftover processes of the command's group may
// take to finish writing their data.
const DefaultGroupGrace = 5 * time.Second
