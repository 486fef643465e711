package analysis

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/covkit/covkit/pathmap"
	"github.com/covkit/covkit/sqlitecov"
)

// Spot is one line of one file: covreport --who FILE:LINE.
type Spot struct {
	File string
	Line int
}

// ParseSpot reads FILE:LINE (the last colon separates them, so a Windows
// drive letter or a colon in a name stays in FILE).
func ParseSpot(s string) (Spot, error) {
	file, line, ok := cutLast(s, ":")
	if !ok || file == "" {
		return Spot{}, fmt.Errorf("--who %q: want FILE:LINE", s)
	}
	n, err := strconv.Atoi(line)
	if err != nil || n <= 0 {
		return Spot{}, fmt.Errorf("--who %q: LINE must be a line number (1 or more)", s)
	}
	return Spot{File: file, Line: n}, nil
}

func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// ErrNotRun says a line of a measured file ran in no context.
var ErrNotRun = errors.New("the line did not run")

// NoContext is how Who lists the empty context: lines run outside any
// test (or in data recorded without contexts).
const NoContext = "(no context)"

// WhoOptions are the settings Who honours.
type WhoOptions struct {
	Dir           string // working directory: relative FILEs and data paths are against it
	Paths         []pathmap.Rule
	RelativeFiles bool
	Contexts      []string // only contexts matching these regexes ([report] contexts, --contexts)
}

// Who answers covreport --who: the measured file the spot names, and the
// contexts that ran its line, sorted ("" is NoContext). With
// `covrun --contexts test` a context is a test and its phase
// (path::Class::test|run); with `--contexts process` the command line of a
// process. FILE is matched against the data's paths (after [paths]) as
// given, made absolute, or as the unique path that ends with it.
func Who(d *sqlitecov.Data, spot Spot, o WhoOptions) (file string, contexts []string, err error) {
	if len(o.Paths) > 0 {
		m, err := pathmap.Compile(o.Paths, pathmap.Options{RelativeFiles: o.RelativeFiles, Dir: o.Dir})
		if err != nil {
			return "", nil, err
		}
		mapped := sqlitecov.NewData()
		if err := mapped.Update(d, func(p string) string { s, _ := m.Map(p); return s }); err != nil {
			return "", nil, err
		}
		d = mapped
	}
	if len(o.Contexts) > 0 {
		if d, err = selectContexts(d, o.Contexts); err != nil {
			return "", nil, err
		}
	}
	file, err = findFile(d.Paths(), spot.File, o.Dir)
	if err != nil {
		return "", nil, err
	}
	f := d.Files[file]
	for ctx, lines := range f.Lines {
		if slices.Contains(lines, spot.Line) {
			contexts = append(contexts, ctx)
		}
	}
	for ctx, arcs := range f.Arcs {
		if slices.ContainsFunc(arcs, func(a [2]int) bool { return a[0] == spot.Line || a[1] == spot.Line }) {
			contexts = append(contexts, ctx)
		}
	}
	slices.Sort(contexts)
	contexts = slices.Compact(contexts)
	if len(contexts) == 0 {
		return file, nil, fmt.Errorf("%s:%d: %w", file, spot.Line, ErrNotRun)
	}
	return file, contexts, nil
}

// findFile picks the data path that name means.
func findFile(paths []string, name, dir string) (string, error) {
	abs := pathmap.AbsFile(name, dir)
	for _, p := range paths {
		if p == name || pathmap.AbsFile(p, dir) == abs {
			return p, nil
		}
	}
	suffix := "/" + strings.TrimPrefix(filepath.ToSlash(filepath.Clean(name)), "./")
	var found []string
	for _, p := range paths {
		if strings.HasSuffix(filepath.ToSlash(p), suffix) {
			found = append(found, p)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return "", fmt.Errorf("%s is not in the data", name)
	default:
		slices.Sort(found)
		return "", fmt.Errorf("%s is ambiguous: it could be %s", name, strings.Join(found, ", "))
	}
}

// WriteWho writes the contexts one per line, the empty one as NoContext.
func WriteWho(w io.Writer, contexts []string) error {
	var b strings.Builder
	for _, c := range contexts {
		if c == "" {
			c = NoContext
		}
		b.WriteString(c)
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}
