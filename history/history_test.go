package history

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/covkit/covkit/report"
)

func set() *report.Set {
	return &report.Set{HasArcs: true, Files: []*report.File{
		{
			Filename: "/p/a.py", RelName: "a.py",
			Statements: []int{1, 2, 3, 4}, Executed: []int{1, 2, 3}, Excluded: []int{6},
			Branch: &report.Branches{
				Possible:   [][2]int{{1, 2}, {1, 3}, {3, 4}},
				Executed:   [][2]int{{1, 2}},
				ExitCounts: map[int]int{1: 2, 3: 1},
			},
		},
		{Filename: "/p/b.py", RelName: "b.py", Statements: []int{1}, Executed: []int{1}, Branch: &report.Branches{ExitCounts: map[int]int{}}},
	}}
}

var now = time.Date(2026, 11, 25, 12, 30, 0, 0, time.FixedZone("X", 3600))

func TestNewRecord(t *testing.T) {
	r := NewRecord(set(), now, "abc1234")
	line, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"time":"2026-11-25T11:30:00Z","commit":"abc1234","lines":{"statements":5,"covered":4,"missing":1,"excluded":1},"branches":{"total":2,"covered":1,"missing":1,"partial":1},"percent":71.42857142857143,"files":{"a.py":66.67,"b.py":100}}` + "\n"
	if string(line) != want {
		t.Errorf("got  %s\nwant %s", line, want)
	}
	var text strings.Builder
	total, _ := report.WriteText(&text, set(), &report.Options{Precision: 2})
	if total != r.Percent {
		t.Errorf("record percent %v, text report total %v", r.Percent, total)
	}
}

func TestAppendRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.jsonl")
	recs := []Record{NewRecord(set(), now, "c1"), NewRecord(set(), now.Add(time.Hour), "")}
	for _, r := range recs {
		if err := Append(path, r); err != nil {
			t.Fatal(err)
		}
	}
	got, err := ReadFile(path, func(f string, a ...any) { t.Errorf("unexpected warning: "+f, a...) })
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, recs) {
		t.Errorf("read back %+v\nwant %+v", got, recs)
	}
	// A missing history is an empty one.
	if got, err := ReadFile(filepath.Join(t.TempDir(), "none"), nil); err != nil || got != nil {
		t.Errorf("missing file: %v, %v", got, err)
	}
}

// TestDamaged: bad lines are skipped with a warning naming the line; the
// good ones are kept; an append after a cut-off line starts a new line.
func TestDamaged(t *testing.T) {
	good := `{"time":"2026-01-01T00:00:00Z","lines":{"statements":2,"covered":1,"missing":1,"excluded":0},"percent":50}`
	content := strings.Join([]string{
		good,
		``,
		`{"time":"2026-01-02T00:00:00Z","lines":{"statem`, // cut short
		`<<<<<<< HEAD`,
		`{"time":"not a time","percent":5}`,
		`{"time":"2026-01-03T00:00:00Z","percent":150}`,
		`{"time":"2026-01-03T00:00:00Z","percent":"50"}`,
		`[1,2]`,
		`{"time":"2026-01-04T00:00:00Z","percent":75,"future_field":{"x":1}} `,
		`{"time":"2026-01-04T00:00:00Z","percent":75} {"time":"2026-01-04T00:00:00Z","percent":75}`,
		"\x00\xff\xfe",
		`{"time":"2026-01-05T00:00:00Z","percent":80}`,
	}, "\n") + "\n" + `{"time":"2026-01-06T00:00:00Z","perc` // no final newline
	path := filepath.Join(t.TempDir(), "h")
	if err := os.WriteFile(path, []byte(content), 0o666); err != nil {
		t.Fatal(err)
	}
	var warns []string
	recs, err := ReadFile(path, func(f string, a ...any) { warns = append(warns, sprintf(f, a...)) })
	if err != nil {
		t.Fatal(err)
	}
	var pcs []float64
	for _, r := range recs {
		pcs = append(pcs, r.Percent)
	}
	if !reflect.DeepEqual(pcs, []float64{50, 75, 80}) {
		t.Errorf("kept records %v, want 50 75 80", pcs)
	}
	var lines []string
	for _, w := range warns {
		if !strings.HasPrefix(w, "history "+path+":") {
			t.Errorf("warning does not name the file and line: %q", w)
		}
		lines = append(lines, strings.SplitN(strings.TrimPrefix(w, "history "+path+":"), ":", 2)[0])
	}
	if got := strings.Join(lines, ","); got != "3,4,5,6,7,8,10,11,13" {
		t.Errorf("warned about lines %s\n%s", got, strings.Join(warns, "\n"))
	}
	// Appending after the cut-off last line keeps the new record whole.
	if err := Append(path, Record{Time: "2026-01-07T00:00:00Z", Percent: 90}); err != nil {
		t.Fatal(err)
	}
	recs, _ = ReadFile(path, nil)
	if len(recs) != 4 || recs[3].Percent != 90 {
		t.Errorf("after append: %+v", recs)
	}
}

func sprintf(f string, a ...any) string { return strings.TrimSpace(fmt.Sprintf(f, a...)) }

func TestChange(t *testing.T) {
	prev := Record{Time: "2026-01-01T00:00:00Z", Commit: "0123456789abcdef0123", Percent: 80}
	tests := []struct {
		cur  float64
		prec int
		want string
	}{
		{82.5, 2, "Coverage change since the previous run (2026-01-01T00:00:00Z, 0123456789ab): 80.00% -> 82.50% (+2.50)"},
		{79.123, 0, "Coverage change since the previous run (2026-01-01T00:00:00Z, 0123456789ab): 80% -> 79% (-0.88)"},
		{80.001, 1, "Coverage change since the previous run (2026-01-01T00:00:00Z, 0123456789ab): 80.0% -> 80.0% (±0.00)"},
	}
	for _, tt := range tests {
		if got := Change(prev, Record{Percent: tt.cur}, tt.prec); got != tt.want {
			t.Errorf("Change(80 -> %v, %d)\n got %q\nwant %q", tt.cur, tt.prec, got, tt.want)
		}
	}
}

func TestGitCommit(t *testing.T) {
	if GitCommit(t.TempDir()) != "" {
		t.Error("a directory outside git has a commit")
	}
	if testing.Short() {
		return
	}
	dir := t.TempDir()
	run := func(args ...string) {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Skipf("git %v: %v %s", args, err, out)
		}
	}
	run("init", "-q")
	run("commit", "-q", "--allow-empty", "-m", "x")
	c := GitCommit(dir)
	if len(c) != 40 {
		t.Errorf("commit %q", c)
	}
}

func TestTrack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.jsonl")
	recs, change, err := Track(path, set(), now, t.TempDir(), 1, nil)
	if err != nil || len(recs) != 1 || change != "" {
		t.Fatalf("first run: %v %q %v", recs, change, err)
	}
	s := set()
	s.Files[0].Executed = []int{1, 2, 3, 4}
	recs, change, err = Track(path, s, now.Add(time.Minute), t.TempDir(), 1, nil)
	if err != nil || len(recs) != 2 {
		t.Fatalf("second run: %v %v", recs, err)
	}
	if want := "Coverage change since the previous run (2026-11-25T11:30:00Z): 71.4% -> 85.7% (+14.29)"; change != want {
		t.Errorf("change %q, want %q", change, want)
	}
	if got, _ := ReadFile(path, nil); !reflect.DeepEqual(got, recs) {
		t.Errorf("file holds %v, Track returned %v", got, recs)
	}
}

func TestTrackStdout(t *testing.T) {
	if _, _, err := Track("-", set(), now, "", 0, nil); err == nil {
		t.Error("Track accepted - as the history file")
	}
}

// A record cut short at the end of the history (a run killed while
// appending) is warned about once: the next append drops it, so later runs
// read a clean history. A last record that is whole but lacks its newline
// (a hand edit) is kept.
func TestCutOffTailRepairedOnce(t *testing.T) {
	good := `{"time":"2026-01-01T00:00:00Z","lines":{"statements":2,"covered":1,"missing":1,"excluded":0},"percent":50}`
	for _, c := range []struct {
		name, tail string
		kept       int // records before this run's
		warnings   int
	}{
		{"cut off", `{"time":"2026-01-02T00:00:00Z","lines":{"statem`, 1, 1},
		{"no final newline", strings.Replace(good, "50", "60", 1), 2, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "h.jsonl")
			if err := os.WriteFile(path, []byte(good+"\n"+c.tail), 0o666); err != nil {
				t.Fatal(err)
			}
			var warns []string
			warnf := func(f string, a ...any) { warns = append(warns, sprintf(f, a...)) }
			for run := range 3 {
				recs, _, err := Track(path, set(), now.Add(time.Duration(run)*time.Hour), t.TempDir(), 0, warnf)
				if err != nil {
					t.Fatal(err)
				}
				if len(recs) != c.kept+run+1 {
					t.Errorf("run %d: %d records, want %d", run, len(recs), c.kept+run+1)
				}
			}
			if len(warns) != c.warnings {
				t.Errorf("%d warnings over three runs, want %d:\n%s", len(warns), c.warnings, strings.Join(warns, "\n"))
			}
		})
	}
}
