// Package history owns covkit's coverage history file: one JSON object per
// line, one line per recorded run, holding that run's totals (time, commit,
// line and branch counts, total and per-file percentages). Runs append to it;
// reports read it to draw the trend and to tell the change since the previous
// run.
//
// The file is append-only and written by many runs over a long time, so
// reading is forgiving: a damaged line (truncated write, merge conflict,
// hand edit) is skipped with a warning and never fails the report.
package history

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/covkit/covkit/internal/infile"
	"github.com/covkit/covkit/report"
)

// Record is one run's totals.
type Record struct {
	// Time is when the run was reported, RFC 3339 in UTC.
	Time string `json:"time"`
	// Commit is the git commit (HEAD) of the measured project, if known.
	Commit string `json:"commit,omitempty"`
	Lines  Lines  `json:"lines"`
	// Branches is set when branch coverage was measured.
	Branches *Branches `json:"branches,omitempty"`
	// Percent is the total coverage, unrounded, as the text report's TOTAL
	// (statements and branches together).
	Percent float64 `json:"percent"`
	// Files maps each file's report name to its coverage, rounded to two
	// decimals.
	Files map[string]float64 `json:"files,omitempty"`
}

// Lines are the statement counts of a run.
type Lines struct {
	Statements int `json:"statements"`
	Covered    int `json:"covered"`
	Missing    int `json:"missing"`
	Excluded   int `json:"excluded"`
}

// Branches are the branch counts of a run.
type Branches struct {
	Total   int `json:"total"`
	Covered int `json:"covered"`
	Missing int `json:"missing"`
	Partial int `json:"partial"`
}

// When returns the record's time; the zero time if it does not parse.
func (r Record) When() time.Time {
	t, _ := time.Parse(time.RFC3339, r.Time)
	return t
}

// NewRecord sums a report set into a record stamped now (in UTC).
func NewRecord(s *report.Set, now time.Time, commit string) Record {
	t := s.Total(0)
	r := Record{
		Time:    now.UTC().Format(time.RFC3339),
		Commit:  commit,
		Lines:   Lines{Statements: t.Statements, Covered: t.Executed(), Missing: t.Missing, Excluded: t.Excluded},
		Percent: t.PcCovered(),
		Files:   make(map[string]float64, len(s.Files)),
	}
	if s.HasArcs {
		r.Branches = &Branches{Total: t.Branches, Covered: t.ExecutedBranches(), Missing: t.MissingBranches, Partial: t.PartialBranches}
	}
	for _, f := range s.Files {
		r.Files[f.RelName] = math.Round(f.Numbers(0, s.HasArcs).PcCovered()*100) / 100
	}
	return r
}

// Marshal returns the record as its history line (with the newline). Map
// keys are sorted, so equal records give equal lines.
func (r Record) Marshal() ([]byte, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Append adds rec to the history file at path, creating it. The append is
// all or nothing: if the record cannot be written whole (a full disk), the
// file is cut back to where it was. A record cut short at the end of the
// file (a run killed while appending) is dropped first, so that it is
// warned about once, not by every later run; a whole last record that only
// lacks its newline is kept.
func Append(path string, rec Record) error {
	line, err := rec.Marshal()
	if err != nil {
		return fmt.Errorf("history %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o666)
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	if err := appendLine(f, line); err != nil {
		f.Close()
		return fmt.Errorf("history %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("history %s: %w", path, err)
	}
	return nil
}

// appendLine appends line to f. A history that is not a regular file (a
// device, a FIFO) is written to as it is.
func appendLine(f *os.File, line []byte) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		_, err := f.Write(line)
		return err
	}
	// Appenders take turns, so that cutting back a failed append never
	// cuts another run's record.
	unlock, err := lockFile(f)
	if err != nil {
		return err
	}
	defer unlock()
	if st, err = f.Stat(); err != nil {
		return err
	}
	size, prefix, err := repairTail(f, st.Size())
	if err != nil {
		return err
	}
	// One write: concurrent appenders do not interleave within a line.
	if _, err := f.Write(append(prefix, line...)); err != nil {
		if terr := f.Truncate(size); terr != nil {
			return fmt.Errorf("%w; and cutting back the partial record: %v", err, terr)
		}
		return err
	}
	return nil
}

// repairTail looks at the end of a history of the given size: if its last
// line has no newline, a record cut short is cut off (the new size is
// returned) and a whole one gets its newline (returned as prefix).
func repairTail(f *os.File, size int64) (newSize int64, prefix []byte, err error) {
	if size == 0 {
		return 0, nil, nil
	}
	// A record is a few kilobytes at most: look at the last 1 MB for the
	// start of the last line.
	start := max(0, size-1<<20)
	tail := make([]byte, size-start)
	if _, err := f.ReadAt(tail, start); err != nil {
		return size, nil, err
	}
	if tail[len(tail)-1] == '\n' {
		return size, nil, nil
	}
	i := bytes.LastIndexByte(tail, '\n')
	if i < 0 && start > 0 {
		return size, []byte{'\n'}, nil // a line longer than any record: leave it
	}
	if rec, perr := parseLine(tail[i+1:]); perr == nil && rec != nil {
		return size, []byte{'\n'}, nil
	}
	cut := start + int64(i+1)
	if err := f.Truncate(cut); err != nil {
		return size, nil, err
	}
	return cut, nil, nil
}

// Read reads a history, oldest first. Damaged lines are skipped: each is
// reported to warnf (if not nil) as "line N: reason". Only a failing reader
// returns an error.
func Read(r io.Reader, warnf func(format string, args ...any)) ([]Record, error) {
	if warnf == nil {
		warnf = func(string, ...any) {}
	}
	br := bufio.NewReader(r)
	var out []Record
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			if rec, perr := parseLine(line); perr != nil {
				warnf("line %d: %v", n, perr)
			} else if rec != nil {
				out = append(out, *rec)
			}
		}
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

// parseLine decodes one line; nil, nil for a blank line.
func parseLine(line []byte) (*Record, error) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return nil, nil
	}
	var rec Record
	dec := json.NewDecoder(bytes.NewReader(line))
	if err := dec.Decode(&rec); err != nil {
		return nil, fmt.Errorf("skipping damaged record: %v", err)
	}
	if dec.More() {
		return nil, errors.New("skipping damaged record: text after the record")
	}
	if _, err := time.Parse(time.RFC3339, rec.Time); err != nil {
		return nil, fmt.Errorf("skipping damaged record: bad time %q", rec.Time)
	}
	if math.IsNaN(rec.Percent) || rec.Percent < 0 || rec.Percent > 100 {
		return nil, fmt.Errorf("skipping damaged record: bad percent %v", rec.Percent)
	}
	return &rec, nil
}

// ReadFile reads the history at path; a missing file is an empty history,
// and so is one that is not a regular file (a device or FIFO it is written
// through to holds nothing to read back). Warnings name the file:
// "PATH:N: reason".
func ReadFile(path string, warnf func(format string, args ...any)) ([]Record, error) {
	f, err := infile.OpenAny(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil {
		return nil, fmt.Errorf("history: %w", err)
	} else if !st.Mode().IsRegular() {
		return nil, nil
	}
	var w func(string, ...any)
	if warnf != nil {
		w = func(format string, args ...any) {
			warnf("history %s:%s", path, strings.TrimPrefix(fmt.Sprintf(format, args...), "line "))
		}
	}
	recs, err := Read(f, w)
	if err != nil {
		return recs, fmt.Errorf("history %s: %w", path, err)
	}
	return recs, nil
}

// Change describes the move of the total coverage from prev to cur, for the
// text report: "Coverage change since the previous run (TIME, COMMIT):
// 80.00% -> 82.50% (+2.50)". Percentages use the report's precision (at
// least two decimals for the difference, so small moves show).
func Change(prev, cur Record, precision int) string {
	d := cur.Percent - prev.Percent
	dp := max(precision, 2)
	ds := strconv.FormatFloat(d, 'f', dp, 64)
	if d >= 0 && !strings.HasPrefix(ds, "-") {
		ds = "+" + ds
	}
	if strings.Trim(ds, "+-0.") == "" {
		ds = "±" + strings.TrimLeft(ds, "+-")
	}
	when := prev.Time
	if prev.Commit != "" {
		c := prev.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		when += ", " + c
	}
	return fmt.Sprintf("Coverage change since the previous run (%s): %s%% -> %s%% (%s)",
		when, report.DisplayCovered(prev.Percent, precision), report.DisplayCovered(cur.Percent, precision), ds)
}

// GitCommit returns the commit checked out in the git work tree holding dir,
// or "" when dir is not in one (or git is missing).
func GitCommit(dir string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", "rev-parse", "--verify", "-q", "HEAD")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	s := strings.TrimSpace(string(out))
	if len(s) < 7 || strings.ContainsAny(s, " \n") {
		return ""
	}
	return s
}

// Track is what a report run with --history does: it reads the history at
// path (damaged lines are skipped with a warning), appends this run's
// record (commit from the git work tree holding dir), and returns every
// record, this run's last, with the line the text report prints about the
// change since the previous run ("" when this is the first).
func Track(path string, s *report.Set, now time.Time, dir string, precision int, warnf func(format string, args ...any)) ([]Record, string, error) {
	if path == "-" {
		return nil, "", errors.New("history: the history file cannot be - (it is read and then appended to)")
	}
	recs, err := ReadFile(path, warnf)
	if err != nil {
		return nil, "", err
	}
	if dir == "" {
		dir = "."
	}
	rec := NewRecord(s, now, GitCommit(dir))
	change := ""
	if len(recs) > 0 {
		change = Change(recs[len(recs)-1], rec, precision)
	}
	if err := Append(path, rec); err != nil {
		return nil, "", err
	}
	return append(recs, rec), change, nil
}
