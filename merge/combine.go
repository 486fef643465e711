package merge

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/covkit/covkit/filesel"
	"github.com/covkit/covkit/sqlitecov"
)

// CombineOptions configures Combine, the whole of `coverage combine`.
type CombineOptions struct {
	// DataFile is the configured data file (default ".coverage"): its
	// directory is searched when Paths is empty, its base name picks the
	// files in directories, and it is the default output.
	DataFile string
	// Paths are data files or directories to combine (PATH arguments).
	Paths []string
	// Output is the file to write; "" means DataFile and "-" Stdout.
	Output string
	Stdout io.Writer
	// Stdin is read for a "-" in Paths.
	Stdin io.Reader
	// Append includes the data already in Output.
	Append bool
	// Keep keeps the inputs; otherwise inputs that were combined (or were
	// duplicates) are deleted once the output is safely written.
	Keep bool
	// Strict makes an unusable input an error.
	Strict bool
	// MapPath remaps measured paths (see Options.MapPath).
	MapPath func(string) string
	// Select chooses the files of lean engine data files (see Options.Select).
	Select *filesel.Selector
	// Jobs bounds parallel reads; 0 means GOMAXPROCS.
	Jobs int
	// Warn receives one line per problem that does not stop the combine.
	Warn func(string)
	// Message receives the final "Combined N files" line; nil for quiet.
	Message func(string)
	// Progress is told how many inputs the merge reads when it starts, and
	// calls the function it returns when the merge is over; nil for none.
	Progress func(inputs int) (done func())
}

// Combine finds the inputs, merges them, writes the output atomically, and
// then deletes the consumed inputs (unless Keep). Unusable inputs are never
// deleted. Nothing is written or deleted when it fails.
func Combine(o CombineOptions) (*Summary, error) {
	if o.DataFile == "" {
		o.DataFile = ".coverage"
	}
	out := o.Output
	if out == "" {
		out = o.DataFile
	}
	// "-" reads one data file from Stdin; it is spooled to a temporary
	// file, which is the only thing ever deleted for it.
	paths := o.Paths
	var stdinFile string
	if i := slices.Index(paths, "-"); i >= 0 {
		if o.Stdin == nil {
			return nil, errors.New("no standard input for \"-\"")
		}
		f, err := os.CreateTemp("", "covmerge-stdin-*")
		if err != nil {
			return nil, err
		}
		stdinFile = f.Name()
		defer os.Remove(stdinFile)
		_, err = io.Copy(f, o.Stdin)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("reading standard input: %w", err)
		}
		paths = slices.Clone(paths)
		paths = slices.DeleteFunc(paths, func(p string) bool { return p == "-" })
		if len(paths) == 0 {
			// Only stdin: do not also pick up the files beside the data file.
			paths = []string{stdinFile}
		} else {
			paths = append(paths, stdinFile)
		}
	}
	inputs, err := Inputs(o.DataFile, paths)
	if err != nil {
		return nil, err
	}
	opts := Options{Inputs: inputs, MapPath: o.MapPath, Strict: o.Strict, Jobs: o.Jobs, Select: o.Select}
	if out != "-" {
		absOut, err := filepath.Abs(out)
		if err != nil {
			return nil, err
		}
		// Combining into one of the inputs: leave that one out, as
		// coverage.py does ("Skipping combining ourself"), also when
		// the output is a link to it (it is written through the link).
		outSt, _ := os.Stat(absOut)
		kept := inputs[:0:0]
		for _, in := range inputs {
			if in == absOut {
				continue
			}
			if outSt != nil {
				if st, err := os.Stat(in); err == nil && os.SameFile(st, outSt) {
					continue
				}
			}
			kept = append(kept, in)
		}
		opts.Inputs = kept
		if o.Append {
			opts.Base = absOut
		}
	}
	done := func() {}
	if o.Progress != nil {
		done = o.Progress(len(opts.Inputs))
	}
	d, sum, err := Run(opts)
	done()
	if sum != nil && o.Warn != nil {
		for _, ue := range sum.Unusable {
			o.Warn(fmt.Sprintf("%s: %s (skipped, kept on disk)", rel(ue.Path), Reason(ue.Err)))
		}
	}
	if err != nil {
		var ie *InputError
		if errors.As(err, &ie) {
			return nil, fmt.Errorf("%s: %s", rel(ie.Path), Reason(ie.Err))
		}
		return nil, err
	}
	if out == "-" {
		if err := sqlitecov.Write(o.Stdout, d); err != nil {
			return nil, err
		}
	} else {
		if err := os.MkdirAll(filepath.Dir(out), 0o777); err != nil {
			return nil, err
		}
		if err := sqlitecov.WriteFile(out, d); err != nil {
			return nil, fmt.Errorf("writing %s: %w", out, err)
		}
	}
	if !o.Keep {
		for _, p := range sum.Consumed() {
			if p == stdinFile {
				continue
			}
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) && o.Warn != nil {
				o.Warn(fmt.Sprintf("%s: not deleted: %s", rel(p), Reason(err)))
			}
		}
	}
	if o.Message != nil {
		o.Message(sum.String())
	}
	return sum, nil
}

// String is the summary line, worded as coverage.py 7.x words it.
func (s *Summary) String() string {
	msg := "Combined " + plural(len(s.Combined), "file")
	if n := len(s.Duplicates); n > 0 {
		msg += fmt.Sprintf(", skipped %d", n)
	}
	if n := len(s.Unusable); n > 0 {
		msg += ", " + plural(n, "file") + " errored"
	}
	return msg
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// rel shortens p to a path relative to the working directory when it is
// inside it, as coverage.py's messages do.
func rel(p string) string {
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	r, err := filepath.Rel(wd, p)
	if err != nil || strings.HasPrefix(r, "..") {
		return p
	}
	return r
}
