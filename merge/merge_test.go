package merge

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/covkit/covkit/leancov"
	"github.com/covkit/covkit/pathmap"
	"github.com/covkit/covkit/sqlitecov"
	"github.com/google/go-cmp/cmp"
)

// arcData builds branch data: spec maps "path|context" to arcs.
func arcData(spec map[string][][2]int) *sqlitecov.Data {
	d := sqlitecov.NewData()
	d.HasArcs = true
	d.Meta["version"] = "7.16.1"
	for k, arcs := range spec {
		p, c, _ := strings.Cut(k, "|")
		f := d.File(p)
		if f.Arcs == nil {
			f.Arcs = map[string][][2]int{}
		}
		f.Arcs[c] = arcs
		d.Contexts = append(d.Contexts, c)
	}
	slices.Sort(d.Contexts)
	d.Contexts = slices.Compact(d.Contexts)
	return d
}

func lineData(spec map[string][]int) *sqlitecov.Data {
	d := sqlitecov.NewData()
	d.HasLines = true
	d.Meta["version"] = "7.16.1"
	for k, lines := range spec {
		p, c, _ := strings.Cut(k, "|")
		f := d.File(p)
		if f.Lines == nil {
			f.Lines = map[string][]int{}
		}
		f.Lines[c] = lines
		d.Contexts = append(d.Contexts, c)
	}
	slices.Sort(d.Contexts)
	d.Contexts = slices.Compact(d.Contexts)
	return d
}

func write(t testing.TB, path string, d *sqlitecov.Data) string {
	t.Helper()
	if err := sqlitecov.WriteFile(path, d); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestInputs(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{".coverage", ".coverage.a", ".coverage.b", ".coverage.b-journal", "other", ".coveragerc", "x.coverage.c"} {
		os.WriteFile(filepath.Join(dir, n), nil, 0o666)
	}
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o777)
	os.WriteFile(filepath.Join(sub, ".coverage.z"), nil, 0o666)
	os.WriteFile(filepath.Join(sub, "data.1"), nil, 0o666)

	j := func(ps ...string) []string {
		for i, p := range ps {
			ps[i] = filepath.Join(dir, p)
		}
		return ps
	}
	tests := []struct {
		dataFile string
		paths    []string
		want     []string
	}{
		{filepath.Join(dir, ".coverage"), nil, j(".coverage.a", ".coverage.b")},
		{filepath.Join(dir, ".coverage"), []string{sub, filepath.Join(dir, "other")}, j("other", "sub/.coverage.z")},
		{filepath.Join(dir, "sub", "data"), []string{sub}, j("sub/data.1")},
	}
	for _, tt := range tests {
		got, err := Inputs(tt.dataFile, tt.paths)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Inputs(%s, %v) (-want +got):\n%s", tt.dataFile, tt.paths, diff)
		}
	}
	if _, err := Inputs(".coverage", []string{filepath.Join(dir, "nope")}); err == nil || !strings.Contains(err.Error(), "non-existent path") {
		t.Errorf("missing path: %v", err)
	}
}

func TestRunUnion(t *testing.T) {
	dir := t.TempDir()
	in := []string{
		write(t, filepath.Join(dir, ".coverage.1"), arcData(map[string][][2]int{
			"/src/a.py|":      {{-1, 1}, {1, 2}},
			"/src/a.py|test1": {{1, 3}},
			"/src/b.py|":      {{-1, 1}},
		})),
		write(t, filepath.Join(dir, ".coverage.2"), arcData(map[string][][2]int{
			"/src/a.py|":      {{1, 2}, {2, -1}},
			"/src/c.py|test2": {},
		})),
	}
	d, sum, err := Run(Options{Inputs: in})
	if err != nil {
		t.Fatal(err)
	}
	want := arcData(map[string][][2]int{
		"/src/a.py|":      {{-1, 1}, {1, 2}, {2, -1}},
		"/src/a.py|test1": {{1, 3}},
		"/src/b.py|":      {{-1, 1}},
	})
	want.File("/src/c.py").Arcs = map[string][][2]int{}
	want.Contexts = []string{"", "test1", "test2"}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("merged (-want +got):\n%s", diff)
	}
	if len(sum.Combined) != 2 || len(sum.Duplicates)+len(sum.Unusable) != 0 {
		t.Errorf("summary %+v", sum)
	}
}

func TestRunLinesAndTracers(t *testing.T) {
	dir := t.TempDir()
	a := lineData(map[string][]int{"/s/t.html|": {1, 2, 9}})
	a.Files["/s/t.html"].Tracer = "django_coverage_plugin"
	b := lineData(map[string][]int{"/s/t.html|": {3, 200}, "/s/x.py|": {1}})
	b.Files["/s/t.html"].Tracer = "django_coverage_plugin"
	in := []string{write(t, filepath.Join(dir, "a"), a), write(t, filepath.Join(dir, "b"), b)}
	d, _, err := Run(Options{Inputs: in})
	if err != nil {
		t.Fatal(err)
	}
	f := d.Files["/s/t.html"]
	if f.Tracer != "django_coverage_plugin" || !slices.Equal(f.Lines[""], []int{1, 2, 3, 9, 200}) {
		t.Errorf("got %+v", f)
	}
	if d.Files["/s/x.py"].Tracer != "" || !d.HasLines || d.HasArcs {
		t.Errorf("got %+v", d)
	}

	c := lineData(map[string][]int{"/s/t.html|": {4}})
	c.Files["/s/t.html"].Tracer = "jinja"
	in = append(in, write(t, filepath.Join(dir, "c"), c))
	_, _, err = Run(Options{Inputs: in})
	if err == nil || !strings.Contains(err.Error(), "conflicting file tracer") || !strings.Contains(err.Error(), filepath.Join(dir, "c")) {
		t.Errorf("tracer conflict: %v", err)
	}
}

func TestRunRefusesMixedKinds(t *testing.T) {
	dir := t.TempDir()
	in := []string{
		write(t, filepath.Join(dir, ".coverage.1"), lineData(map[string][]int{"/a.py|": {1}})),
		write(t, filepath.Join(dir, ".coverage.2"), arcData(map[string][][2]int{"/a.py|": {{1, 2}}})),
		write(t, filepath.Join(dir, ".coverage.3"), lineData(map[string][]int{"/a.py|": {2}})),
	}
	for range 5 { // parallel reads must not change which files are named
		_, _, err := Run(Options{Inputs: in, Jobs: 3})
		want := "can't combine branch coverage data in " + in[1] + " with statement coverage data in " + in[0]
		if err == nil || err.Error() != want {
			t.Fatalf("got %v\nwant %s", err, want)
		}
	}
}

func TestRunDuplicates(t *testing.T) {
	dir := t.TempDir()
	d1 := arcData(map[string][][2]int{"/a.py|": {{1, 2}}})
	p1 := write(t, filepath.Join(dir, ".coverage.1"), d1)
	b, _ := os.ReadFile(p1)
	var in []string
	for i := range 6 {
		p := filepath.Join(dir, fmt.Sprintf(".coverage.%d", i+2))
		os.WriteFile(p, b, 0o666)
		in = append(in, p)
	}
	in = append([]string{p1}, in...)
	in = append(in, write(t, filepath.Join(dir, ".coverage.9"), arcData(map[string][][2]int{"/a.py|": {{2, 3}}})))
	for range 5 {
		d, sum, err := Run(Options{Inputs: in, Jobs: 4})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(sum.Combined, []string{in[0], in[7]}) || len(sum.Duplicates) != 6 {
			t.Fatalf("summary: %+v", sum)
		}
		if got := d.Files["/a.py"].AllArcs(); !slices.Equal(got, [][2]int{{1, 2}, {2, 3}}) {
			t.Fatalf("arcs %v", got)
		}
		if sum.String() != "Combined 2 files, skipped 6" {
			t.Errorf("message %q", sum.String())
		}
	}
}

// badInputs writes one unusable file per case the issue lists and returns
// their paths.
func badInputs(t *testing.T, dir string) map[string]string {
	good := write(t, filepath.Join(dir, "good.tmp"), arcData(map[string][][2]int{"/a.py|": {{1, 2}}}))
	b, _ := os.ReadFile(good)
	os.Remove(good)
	files := map[string][]byte{
		".coverage.zero":      nil,
		".coverage.truncated": b[:len(b)/2/4096*4096],
		".coverage.text":      []byte("not a database\n"),
		".coverage.json4":     []byte(`!coverage.py: This is a private format, don't read it directly!{"lines":{}}`),
	}
	out := map[string]string{}
	for n, c := range files {
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, c, 0o666); err != nil {
			t.Fatal(err)
		}
		out[n] = p
	}
	return out
}

func TestCombineSkipsAndKeepsBadInputs(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	bad := badInputs(t, dir)
	write(t, filepath.Join(dir, ".coverage.ok1"), arcData(map[string][][2]int{"/a.py|": {{1, 2}}}))
	write(t, filepath.Join(dir, ".coverage.ok2"), arcData(map[string][][2]int{"/a.py|": {{2, 3}}}))
	var warns, msgs []string
	sum, err := Combine(CombineOptions{
		Warn:    func(s string) { warns = append(warns, s) },
		Message: func(s string) { msgs = append(msgs, s) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Unusable) != len(bad) || len(warns) != len(bad) {
		t.Fatalf("unusable %v, warnings %q", sum.Unusable, warns)
	}
	for _, w := range warns {
		if strings.Contains(w, "\n") || !strings.HasPrefix(w, ".coverage.") || !strings.Contains(w, "kept on disk") {
			t.Errorf("warning %q: want one line naming the file", w)
		}
	}
	for n, p := range bad {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("unusable input %s was deleted", n)
		}
	}
	for _, n := range []string{".coverage.ok1", ".coverage.ok2"} {
		if _, err := os.Stat(n); err == nil {
			t.Errorf("combined input %s was not deleted", n)
		}
	}
	if want := []string{"Combined 2 files, 4 files errored"}; !slices.Equal(msgs, want) {
		t.Errorf("messages %q, want %q", msgs, want)
	}
	d, err := sqlitecov.ReadFile(".coverage")
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Files["/a.py"].AllArcs(); !slices.Equal(got, [][2]int{{1, 2}, {2, 3}}) {
		t.Errorf("arcs %v", got)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*tmp*")); len(m) > 0 {
		t.Errorf("temporary files left: %v", m)
	}

	// --strict: the first unusable input is an error; nothing is written or deleted.
	os.Remove(".coverage")
	write(t, filepath.Join(dir, ".coverage.ok3"), arcData(map[string][][2]int{"/a.py|": {{2, 3}}}))
	_, err = Combine(CombineOptions{Strict: true})
	if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), ".coverage.") {
		t.Fatalf("strict: %v", err)
	}
	if _, err := os.Stat(".coverage"); err == nil {
		t.Error("strict failure wrote output")
	}
	if _, err := os.Stat(".coverage.ok3"); err != nil {
		t.Error("strict failure deleted an input")
	}
}

func TestCombineAppendKeep(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	write(t, ".coverage", arcData(map[string][][2]int{"/a.py|": {{1, 2}}}))
	write(t, ".coverage.x", arcData(map[string][][2]int{"/a.py|": {{5, 6}}}))
	if _, err := Combine(CombineOptions{Append: true, Keep: true}); err != nil {
		t.Fatal(err)
	}
	d, _ := sqlitecov.ReadFile(".coverage")
	if got := d.Files["/a.py"].AllArcs(); !slices.Equal(got, [][2]int{{1, 2}, {5, 6}}) {
		t.Errorf("append: %v", got)
	}
	if _, err := os.Stat(".coverage.x"); err != nil {
		t.Error("--keep deleted the input")
	}
	// Without --append the old output is replaced.
	if _, err := Combine(CombineOptions{Output: "out/merged"}); err != nil {
		t.Fatal(err)
	}
	d, _ = sqlitecov.ReadFile("out/merged")
	if got := d.Files["/a.py"].AllArcs(); !slices.Equal(got, [][2]int{{5, 6}}) {
		t.Errorf("fresh: %v", got)
	}
	if _, err := Combine(CombineOptions{}); err == nil || err.Error() != "no data to combine" {
		t.Errorf("nothing left: %v", err)
	}
}

func TestThousandsOfInputs(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	dir := t.TempDir()
	const n = 3000
	var in []string
	rng := rand.New(rand.NewPCG(1, 2))
	want := map[[2]int]bool{}
	for i := range n {
		a := [2]int{rng.IntN(50), rng.IntN(50) + 1}
		want[a] = true
		d := arcData(map[string][][2]int{fmt.Sprintf("/src/m%d.py|", i%40): {a}, "/src/common.py|": {a}})
		in = append(in, write(t, filepath.Join(dir, fmt.Sprintf(".coverage.%05d", i)), d))
	}
	d, sum, err := Run(Options{Inputs: in})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Combined)+len(sum.Duplicates) != n || len(d.Files) != 41 {
		t.Fatalf("combined %d, duplicates %d, files %d", len(sum.Combined), len(sum.Duplicates), len(d.Files))
	}
	if got := len(d.Files["/src/common.py"].AllArcs()); got != len(want) {
		t.Errorf("common.py has %d arcs, want %d", got, len(want))
	}
}

// Item 7: merging is associative. Per-process files from two machines with
// different checkout roots, merged per machine and then merged again with
// [paths] remapping, give the same data as remapping and merging all
// per-process files at once — for any split into shards.
func TestShardsMergeAgain(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(7, 7))
	roots := []string{"/home/runner/work/proj/", "/builds/ci/7/proj/", `C:\agent\proj\`}
	var all []string
	for i := range 36 {
		root := roots[i%len(roots)]
		spec := map[string][][2]int{}
		for f := range 5 {
			if rng.IntN(3) == 0 {
				continue
			}
			var arcs [][2]int
			for range rng.IntN(8) {
				arcs = append(arcs, [2]int{rng.IntN(30) - 2, rng.IntN(30) + 1})
			}
			name := fmt.Sprintf("pkg/m%d.py", f)
			if strings.Contains(root, `\`) {
				name = strings.ReplaceAll(name, "/", `\`)
			}
			spec[root+name+"|"+fmt.Sprint("ctx", rng.IntN(3))] = arcs
		}
		all = append(all, write(t, filepath.Join(dir, fmt.Sprintf(".coverage.p%02d", i)), arcData(spec)))
	}
	rule, err := pathmap.ParseFlag("/src/proj/=/home/runner/work/proj/,/builds/*/*/proj/,C:\\agent\\proj\\")
	if err != nil {
		t.Fatal(err)
	}
	mapper := pathmap.New([]pathmap.Rule{rule}, pathmap.Options{Exists: func(string) bool { return true }})
	mapPath := func(p string) string { s, _ := mapper.Map(p); return s }

	once, _, err := Run(Options{Inputs: all, MapPath: mapPath})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range once.Paths() {
		if !strings.HasPrefix(p, "/src/proj/pkg/") {
			t.Fatalf("path not remapped: %s", p)
		}
	}
	for trial := range 4 {
		// Split the per-process files into random shards; each shard is
		// merged on "its machine" without remapping, as CI would.
		nshards := 2 + trial
		shards := make([][]string, nshards)
		for _, p := range all {
			k := rng.IntN(nshards)
			shards[k] = append(shards[k], p)
		}
		var merged []string
		for k, s := range shards {
			if len(s) == 0 {
				continue
			}
			d, _, err := Run(Options{Inputs: s})
			if err != nil {
				t.Fatal(err)
			}
			merged = append(merged, write(t, filepath.Join(dir, fmt.Sprintf("shard%d-%d", trial, k)), d))
		}
		again, _, err := Run(Options{Inputs: merged, MapPath: mapPath})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(once, again); diff != "" {
			t.Fatalf("trial %d: shards merged again differ from one merge (-once +shards):\n%s", trial, diff)
		}
	}
}

// When the output cannot be written (here a directory is in the way; a full
// disk fails the same way, in the write or the sync), the combine fails,
// leaves no temporary file behind, and deletes no input.
func TestCombineWriteFailureKeepsInputs(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	write(t, ".coverage.1", arcData(map[string][][2]int{"/a.py|": {{1, 2}}}))
	os.MkdirAll("out/sub", 0o777)
	_, err := Combine(CombineOptions{Output: "out"})
	if err == nil || !strings.Contains(err.Error(), "writing out") {
		t.Fatalf("got %v", err)
	}
	if _, err := os.Stat(".coverage.1"); err != nil {
		t.Error("input deleted after a failed write")
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".*tmp*")); len(m) > 0 {
		t.Errorf("temporary files left: %v", m)
	}
}

// TestRunRecordsWhatMeasured: inputs from different coverage.py versions (or
// carrying covkit's records) give a combined file that says, per file, what
// measured it, with [paths] applied; equal plain inputs need no record.
func TestRunRecordsWhatMeasured(t *testing.T) {
	dir := t.TempDir()
	a := lineData(map[string][]int{"/ci/a.py": {1}, "/ci/b.py": {1}})
	a.Meta["version"] = "6.5.0"
	b := lineData(map[string][]int{"/ci/b.py": {2}, "/ci/c.py": {1}})
	b.Meta["version"] = "7.6.0"
	b.SetMeasured([]sqlitecov.Source{{Python: "3.13", Coverage: "7.6.0"}})
	in := []string{write(t, filepath.Join(dir, "d.1"), a), write(t, filepath.Join(dir, "d.2"), b)}
	d, _, err := Run(Options{Inputs: in, MapPath: func(p string) string { return strings.Replace(p, "/ci/", "/src/", 1) }})
	if err != nil {
		t.Fatal(err)
	}
	got, err := d.Measured()
	if err != nil {
		t.Fatal(err)
	}
	want := []sqlitecov.Source{
		{Coverage: "6.5.0", Files: []string{"/src/a.py", "/src/b.py"}},
		{Python: "3.13", Coverage: "7.6.0", Files: []string{"/src/b.py", "/src/c.py"}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("measured (-want +got):\n%s", d)
	}

	// Two plain inputs of one version: coverage.py's own meta suffices.
	b.Meta = map[string]string{"version": "6.5.0"}
	in[1] = write(t, filepath.Join(dir, "d.3"), b)
	plain, _, err := Run(Options{Inputs: in})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := plain.Meta[sqlitecov.MeasuredKey]; ok || plain.Meta["version"] != "6.5.0" {
		t.Errorf("meta %v", plain.Meta)
	}
}

// TestRunMeasuredIgnoresEmptyInputs: a process that ran none of the selected
// code (multiprocessing's resource tracker, say) leaves a data file naming
// no file; it must not add an unknown source to the record (which would
// make the report guess a coverage.py version and warn).
func TestRunMeasuredIgnoresEmptyInputs(t *testing.T) {
	dir := t.TempDir()
	lean := func(name string, files ...leancov.Measured) string {
		h := map[string]string{"python": "3.11.2", "coverage": "6.5.0"}
		if len(files) == 0 {
			h = map[string]string{"python": "3.11.2"}
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, leancov.Encode(&leancov.File{Header: h, Files: files}), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	in := []string{
		lean(".covkit.h.pid1.Xax", leancov.Measured{Path: "/src/a.py", Lines: map[string][]int{"": {1, 2}}}),
		lean(".covkit.h.pid2.Xbx"),
		write(t, filepath.Join(dir, ".coverage.empty"), lineData(nil)),
	}
	d, _, err := Run(Options{Inputs: in})
	if err != nil {
		t.Fatal(err)
	}
	got, err := d.Measured()
	if err != nil {
		t.Fatal(err)
	}
	// One source measured everything: no file list is needed.
	want := []sqlitecov.Source{{Python: "3.11", Coverage: "6.5.0", Engine: sqlitecov.EngineCovkit}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("measured (-want +got):\n%s", d)
	}
}

// Progress hears how many inputs the merge reads (the output itself, being
// combined into, is not one) and when it is over.
func TestCombineProgress(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	write(t, ".coverage", lineData(map[string][]int{"/a.py|": {1}}))
	write(t, ".coverage.x", lineData(map[string][]int{"/a.py|": {2}}))
	write(t, ".coverage.y", lineData(map[string][]int{"/a.py|": {3}}))
	var events []string
	_, err := Combine(CombineOptions{Append: true, Progress: func(n int) func() {
		events = append(events, fmt.Sprintf("start %d", n))
		return func() { events = append(events, "done") }
	}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"start 2", "done"}; !slices.Equal(events, want) {
		t.Errorf("progress events %q, want %q", events, want)
	}
}
