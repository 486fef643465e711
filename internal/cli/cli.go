// Package cli owns the conventions every covkit command shares: flag sets,
// exit codes (a child's passed on as a shell reports it), the version
// string, warnings, and "-" for stdin/stdout.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/pflag"

	"github.com/covkit/covkit/internal/outfile"
)

// Exit codes shared by every covkit binary.
const (
	ExitOK    = 0
	ExitError = 1 // runtime error
	ExitUsage = 2 // bad flags or arguments (and --fail-under, as coverage.py does)
)

// Version is stamped at link time: -ldflags "-X github.com/covkit/covkit/internal/cli.Version=v1.2.3".
// Left unset (go install, go build), --version reads the build information
// instead (see versionString).
var Version = ""

// ErrUsage marks an error as a usage error (exit 2).
var ErrUsage = errors.New("usage error")

// UsageError returns an error that Exit maps to ExitUsage.
func UsageError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUsage, fmt.Sprintf(format, args...))
}

// Command describes one covkit binary for NewFlagSet.
type Command struct {
	Name     string // "covmerge"
	Synopsis string // "covmerge [flags] [PATH...]"
	Summary  string // one paragraph, printed under the synopsis
	Footer   string // optional text after the flag list
}

// NewFlagSet returns a private, ContinueOnError flag set with -h/--help and
// --version already defined.
func NewFlagSet(c Command) *pflag.FlagSet {
	fs := pflag.NewFlagSet(c.Name, pflag.ContinueOnError)
	fs.SortFlags = false
	fs.SetOutput(io.Discard)
	fs.BoolP("help", "h", false, "show this help and exit")
	fs.Bool("version", false, "print the version and exit")
	return fs
}

// Usage writes the usage text of c with the flags of fs.
func Usage(w io.Writer, c Command, fs *pflag.FlagSet) {
	fmt.Fprintf(w, "Usage: %s\n\n", c.Synopsis)
	if c.Summary != "" {
		fmt.Fprintf(w, "%s\n\n", strings.TrimSpace(c.Summary))
	}
	fmt.Fprintf(w, "Flags:\n%s", flagUsages(fs))
	if c.Footer != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(c.Footer))
	}
}

// Parse parses args. When it returns done, the command must return code
// immediately: -h printed usage (0), --version printed the version (0), or a
// usage error was reported on stderr (2).
func Parse(c Command, fs *pflag.FlagSet, args []string, stdout, stderr io.Writer) (done bool, code int) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			Usage(stdout, c, fs)
			return true, ExitOK
		}
		fmt.Fprintf(stderr, "%s: %v\nRun '%s -h' for usage.\n", c.Name, err, c.Name)
		return true, ExitUsage
	}
	if h, _ := fs.GetBool("help"); h {
		Usage(stdout, c, fs)
		return true, ExitOK
	}
	if v, _ := fs.GetBool("version"); v {
		fmt.Fprintf(stdout, "%s %s\n", c.Name, CurrentVersion())
		return true, ExitOK
	}
	return false, ExitOK
}

// Exit reports err (if any) on stderr prefixed with the tool name, once, and
// returns the exit code: 0 for nil, 2 for usage errors, 1 otherwise.
func Exit(tool string, stderr io.Writer, err error) int {
	if err == nil {
		return ExitOK
	}
	var ec interface{ ExitCode() int }
	if errors.As(err, &ec) && err.Error() == "" {
		return ec.ExitCode()
	}
	fmt.Fprintf(stderr, "%s: %v\n", tool, err)
	if errors.Is(err, ErrUsage) {
		return ExitUsage
	}
	if errors.As(err, &ec) {
		return ec.ExitCode()
	}
	return ExitError
}

// ExitCodeError carries a specific exit code (for example --fail-under's 2)
// with an optional message; an empty message prints nothing.
type ExitCodeError struct {
	Code int
	Msg  string
}

func (e *ExitCodeError) Error() string { return e.Msg }
func (e *ExitCodeError) ExitCode() int { return e.Code }

// Warnf writes "warning: ..." on w.
func Warnf(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, "warning: "+strings.TrimSuffix(format, "\n")+"\n", args...)
}

// OpenInput opens path for reading; "-" is stdin (never closed).
func OpenInput(path string, stdin io.Reader) (io.ReadCloser, error) {
	if path == "-" {
		return io.NopCloser(stdin), nil
	}
	return os.Open(path)
}

// Output is an output file being written (see package outfile: a regular
// file is replaced atomically, a device, FIFO or symlink target is written
// through): nothing appears at its path until Commit, and Abort (or a
// crash) leaves any previous file untouched.
type Output struct {
	io.Writer
	f *outfile.File
}

// CreateOutput starts writing path ("-" writes to stdout directly). The
// parent directory is created if missing.
func CreateOutput(path string, stdout io.Writer) (*Output, error) {
	if path == "-" {
		return &Output{Writer: stdout}, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
		return nil, err
	}
	f, err := outfile.Create(path)
	if err != nil {
		return nil, err
	}
	return &Output{Writer: f, f: f}, nil
}

// Commit puts the output in place.
func (o *Output) Commit() error {
	if o.f == nil {
		return nil
	}
	return o.f.Commit()
}

// Abort discards the output; safe to call after Commit (then it does nothing).
func (o *Output) Abort() {
	if o.f != nil {
		o.f.Abort()
	}
}

// Undo removes the file a successful Commit created where nothing was
// before (see outfile.File.Undo).
func (o *Output) Undo() error {
	if o.f == nil {
		return nil
	}
	return o.f.Undo()
}

// flagUsages lists the flags as Go tools do: one per line, the value name
// taken from backquotes in the usage, defaults shown when not zero. (pflag's
// own listing marks every boolean "[=true|false]".)
func flagUsages(fs *pflag.FlagSet) string {
	type row struct{ left, right string }
	var rows []row
	width := 0
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		left := "      --" + f.Name
		if f.Shorthand != "" {
			left = "  -" + f.Shorthand + ", --" + f.Name
		}
		name, usage := pflag.UnquoteUsage(f)
		if f.Value.Type() == "bool" {
			name = ""
		}
		if name != "" {
			left += " " + name
		}
		switch f.Value.Type() {
		case "bool", "stringArray", "stringSlice":
		default:
			if z := f.DefValue; z != "" && z != "0" && z != "0s" && z != "[]" {
				usage += fmt.Sprintf(" (default %s)", f.DefValue)
			}
		}
		if len(left) > width {
			width = len(left)
		}
		rows = append(rows, row{left, usage})
	})
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%-*s   %s\n", width, r.left, r.right)
	}
	return b.String()
}

// EnvBool reads a boolean setting from the environment: 1, true, yes, on
// (any case) are true; unset, empty, 0, false, no, off are false; anything
// else is an error naming the variable.
func EnvBool(name string, getenv func(string) string) (bool, error) {
	switch v := strings.ToLower(strings.TrimSpace(getenv(name))); v {
	case "1", "true", "yes", "on":
		return true, nil
	case "", "0", "false", "no", "off":
		return false, nil
	default:
		return false, fmt.Errorf("%s=%q: want 1 or 0 (true/false, yes/no, on/off)", name, getenv(name))
	}
}

// CurrentVersion is covkit's version as --version prints it.
func CurrentVersion() string {
	bi, _ := debug.ReadBuildInfo()
	return versionString(Version, bi)
}

// versionString is what --version prints: the version stamped at link time;
// else the module version the go command recorded (go install
// module@version), with the VCS revision when the build recorded one (a
// build in a checkout: "devel", revision, "+dirty" for uncommitted changes).
func versionString(stamped string, bi *debug.BuildInfo) string {
	if stamped != "" {
		return stamped
	}
	v := "devel"
	if bi == nil {
		return v
	}
	if m := bi.Main.Version; m != "" && m != "(devel)" {
		v = m
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		return v
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if strings.Contains(v, rev) {
		// A pseudo-version made from the checkout (Go 1.24+) names the
		// revision already, and "+dirty" too.
		return v
	}
	if modified == "true" {
		rev += "+dirty"
	}
	return v + " (" + rev + ")"
}

// ExitStatus is a finished child's exit status as a shell reports it (and
// covkit's commands pass it on): its exit code, or 128+N when signal N
// killed it. waitErr is what waiting for it returned; an error other than
// the child's own failure comes back as (1, err).
func ExitStatus(ps *os.ProcessState, waitErr error) (int, error) {
	if ps == nil {
		return 1, waitErr
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal()), nil
	}
	var ee *exec.ExitError
	if waitErr != nil && !errors.As(waitErr, &ee) {
		return 1, waitErr
	}
	return ps.ExitCode(), nil
}
