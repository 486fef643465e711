package lifecycle

import (
	"io"
	"time"
)

// Command is the user's command and its standard streams.
type Command struct {
	Args   []string
	Env    []string // full environment
	Dir    string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// GroupGrace bounds how long Exec waits, after the command itself has
	// exited, for the rest of its process group (DefaultGroupGrace if 0).
	GroupGrace time.Duration
}

// DefaultGroupGrace is how long leftover processes of the command's group may
// take to finish writing their data.
const DefaultGroupGrace = 5 * time.Second
