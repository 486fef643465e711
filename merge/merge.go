// Package merge owns combining coverage.py data files: finding the inputs
// (as `coverage combine` does), reading them in parallel, remapping their
// paths, and unioning lines and arcs per (file, context) in memory, with the
// same results and the same refusals as coverage.py's combine.
//
// Run does not write or delete anything; the caller writes the returned
// Data (sqlitecov.WriteFile is atomic) and only then deletes
// Summary.Consumed.
package merge

import (
	"cmp"
	"errors"
	"fmt"
	"hash/maphash"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/covkit/covkit/filesel"
	"github.com/covkit/covkit/leancov"
	"github.com/covkit/covkit/sqlitecov"
)

// Options configures Run.
type Options struct {
	// Inputs are the data files to combine, normally from Inputs.
	Inputs []string
	// Base is an existing data file whose data is included first (--append);
	// "" for none. A missing Base, or one that is not a regular file (a
	// device the output is written through), is not an error.
	Base string
	// MapPath remaps a measured file path ([paths] aliases); nil keeps paths.
	// It is called once per distinct path. Slashes and backslashes in the
	// result become the OS separator, as coverage.py 7.x does.
	MapPath func(string) string
	// Strict makes an unusable input an error instead of a warning.
	Strict bool
	// Jobs is how many inputs are read at once; 0 means GOMAXPROCS.
	Jobs int
	// Select chooses which files of lean engine data files are kept, as
	// coverage.py would have chosen in the measuring process; nil keeps
	// every file they recorded.
	Select *filesel.Selector
}

// InputError says why one input could not be used.
type InputError struct {
	Path string
	Err  error
}

func (e *InputError) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// Summary reports what Run did with each input, in input order.
type Summary struct {
	// Combined lists the inputs whose data was merged.
	Combined []string
	// Duplicates lists inputs skipped because an earlier input held the
	// same data (byte-identical, or the same coverage.py data hash in the
	// file name).
	Duplicates []string
	// Unusable lists inputs that could not be read; they must be kept.
	Unusable []*InputError
}

// Consumed lists the inputs a combine may delete once its output is safely
// written: the combined ones and their duplicates, never unusable ones.
func (s *Summary) Consumed() []string {
	return append(slices.Clone(s.Combined), s.Duplicates...)
}

// ErrNoData is returned when no input could be used; ErrNoInputs when
// there were no inputs at all.
var (
	ErrNoData   = errors.New("no usable data files")
	ErrNoInputs = errors.New("no data to combine")
)

// Inputs lists the data files a combine reads, like coverage.py's
// combinable_files: each path that is a file, and for each directory the
// files in it named <basename of dataFile>.* and covkit's lean engine data
// files (.covkit.*); no paths means dataFile's directory. SQLite journal
// files are left out. The result is absolute and
// sorted.
func Inputs(dataFile string, paths []string) ([]string, error) {
	abs, err := filepath.Abs(dataFile)
	if err != nil {
		return nil, err
	}
	dir, local := filepath.Split(abs)
	if len(paths) == 0 {
		paths = []string{dir}
	}
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("couldn't combine from non-existent path '%s'", p)
		}
		ap, err := filepath.Abs(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, ap)
			continue
		}
		ents, err := os.ReadDir(ap)
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), local+".") || strings.HasPrefix(e.Name(), leancov.FilePrefix) {
				out = append(out, filepath.Join(ap, e.Name()))
			}
		}
	}
	out = slices.DeleteFunc(out, func(s string) bool { return strings.HasSuffix(s, "-journal") })
	slices.Sort(out)
	return out, nil
}

// nameHash matches the data hash coverage.py 7.x puts in parallel data file
// names (.Habcdef1234h): files with equal hashes hold equal data.
var nameHash = regexp.MustCompile(`\.[^.]+\.pid\d+\.X\w{6}x\.H(\w{10}h)$`)

type dupKey struct {
	name string // data hash from the file name, or ""
	size int
	sum  uint64
}

// Run combines opts.Inputs (and opts.Base) and returns the merged data.
// Unusable inputs are reported in the summary (or fail the run under
// Strict); line data mixed with branch data and conflicting file tracers
// fail it, naming the files involved.
func Run(opts Options) (*sqlitecov.Data, *Summary, error) {
	inputs := opts.Inputs
	base := 0
	if opts.Base != "" {
		// Only a regular file holds data to append: a device or FIFO
		// output (written through) has none.
		if st, err := os.Stat(opts.Base); err == nil && st.Mode().IsRegular() {
			inputs = append([]string{opts.Base}, inputs...)
			base = 1
		}
	}
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	jobs = max(1, min(jobs, len(inputs)))

	m := &merger{
		opts:  opts,
		paths: map[string]int32{},
		ctxs:  map[string]int32{},
		dups:  map[dupKey]int{},
		state: make([]inputState, len(inputs)),
		seed:  maphash.MakeSeed(),
		lean:  newLeanReader(opts.Select),
	}
	var next atomic.Int64
	accs := make([]*acc, jobs)
	var wg sync.WaitGroup
	for w := range jobs {
		a := newAcc()
		accs[w] = a
		wg.Add(1)
		go func() {
			defer wg.Done()
			var raw sqlitecov.Raw
			var fr sqlitecov.FileReader
			var leanBuf []byte
			defer fr.Close()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(inputs) {
					return
				}
				m.one(i, inputs[i], i < base, &fr, &leanBuf, &raw, a)
			}
		}()
	}
	wg.Wait()

	sum := &Summary{}
	first := map[int]string{}
	for i, st := range m.state {
		switch {
		case st.err != nil:
			if i < base {
				return nil, nil, &InputError{Path: inputs[i], Err: st.err}
			}
			ie := &InputError{Path: inputs[i], Err: st.err}
			if opts.Strict {
				return nil, nil, ie
			}
			sum.Unusable = append(sum.Unusable, ie)
		case st.dupOf >= 0 && st.dupOf < i:
			sum.Duplicates = append(sum.Duplicates, inputs[i])
		default:
			if i >= base {
				sum.Combined = append(sum.Combined, inputs[i])
			}
			if _, ok := first[st.kind]; !ok && st.kind >= 0 {
				first[st.kind] = inputs[i]
			}
		}
	}
	if a, b := first[1], first[0]; a != "" && b != "" {
		return nil, nil, fmt.Errorf("can't combine branch coverage data in %s with statement coverage data in %s", a, b)
	}
	if len(sum.Combined) == 0 {
		// As `coverage combine` (strict): with nothing to combine there is
		// no output, even with --append.
		if len(opts.Inputs) == 0 {
			return nil, nil, ErrNoInputs
		}
		return nil, sum, ErrNoData
	}

	total := accs[0]
	for _, a := range accs[1:] {
		total.absorb(a)
	}
	d, err := m.build(total, inputs, first)
	if err != nil {
		return nil, nil, err
	}
	return d, sum, nil
}

type inputState struct {
	err     error
	dupOf   int // index of the input with the same data seen first, or -1
	kind    int // has_arcs: 1, 0, or -1 for no data
	version string
	// measured is the input's covkit_measured record, "" without one;
	// files its raw file paths, kept when it or version must be recorded.
	measured string
	files    []string
}

type merger struct {
	opts Options
	seed maphash.Seed

	mu      sync.Mutex
	paths   map[string]int32 // raw path -> raw file id
	names   []string         // raw file id -> raw path
	firstAt [][2]int64       // raw file id -> (input index, file row id) of first appearance
	ctxs    map[string]int32
	cname   []string
	dups    map[dupKey]int
	state   []inputState
	lean    *leanReader
}

func (m *merger) one(i int, path string, isBase bool, fr *sqlitecov.FileReader, leanBuf *[]byte, raw *sqlitecov.Raw, a *acc) {
	st := &m.state[i]
	st.dupOf = -1
	k := dupKey{}
	var hash func([]byte)
	if !isBase {
		if mt := nameHash.FindStringSubmatch(filepath.Base(path)); mt != nil {
			k.name = mt[1]
		} else if isLean(path) {
			// Each process writes a file of its own, named for it: only the
			// same path given twice is the same data.
			k.name = path
		} else {
			hash = func(b []byte) { k.size, k.sum = len(b), maphash.Bytes(m.seed, b) }
		}
	}
	var err error
	if isLean(path) {
		err = m.lean.read(path, raw, hash, leanBuf)
	} else {
		err = fr.ReadRaw(path, raw, hash)
	}
	if err != nil {
		st.err = err
		return
	}
	st.kind = raw.HasArcs()
	st.version = raw.Meta["version"]
	st.measured = raw.Meta[sqlitecov.MeasuredKey]
	st.files = make([]string, len(raw.Files))
	for j, f := range raw.Files {
		st.files[j] = f.Path
	}
	if !isBase {
		m.mu.Lock()
		j, seen := m.dups[k]
		if !seen || i < j {
			m.dups[k] = i
		}
		if seen {
			st.dupOf = min(i, j)
			m.state[max(i, j)].dupOf = min(i, j)
		}
		m.mu.Unlock()
		if seen && j < i {
			return // same data as an earlier input: merging it again changes nothing
		}
	}
	m.add(i, raw, a)
}

// fileID interns a raw (unmapped) path. Paths are mapped later, in the
// order coverage.py meets them (see mapPaths).
func (m *merger) fileID(p string) int32 {
	m.mu.Lock()
	defer m.mu.Unlock()
	id, ok := m.paths[p]
	if !ok {
		id = int32(len(m.names))
		m.names = append(m.names, p)
		m.paths[p] = id
	}
	return id
}

// mapPaths maps every raw path once, in first-appearance order (input
// index, then row id), and returns raw id -> mapped id and the mapped names:
// with relative_files a Mapper learns implicit rules as it goes, so the
// order must be coverage.py's.
func (m *merger) mapPaths() ([]int32, []string) {
	order := make([]int32, len(m.names))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		fa, fb := m.firstAt[a], m.firstAt[b]
		if c := cmp.Compare(fa[0], fb[0]); c != 0 {
			return c
		}
		return cmp.Compare(fa[1], fb[1])
	})
	out := make([]int32, len(m.names))
	byName := map[string]int32{}
	var names []string
	for _, raw := range order {
		np := m.names[raw]
		if m.opts.MapPath != nil {
			np = m.opts.MapPath(np)
		}
		np = fixSlashes(np)
		id, ok := byName[np]
		if !ok {
			id = int32(len(names))
			names = append(names, np)
			byName[np] = id
		}
		out[raw] = id
	}
	return out, names
}

func fixSlashes(p string) string {
	if filepath.Separator == '/' {
		return strings.ReplaceAll(p, `\`, "/")
	}
	return strings.ReplaceAll(p, "/", string(filepath.Separator))
}

func (m *merger) ctxID(c string) int32 {
	m.mu.Lock()
	defer m.mu.Unlock()
	id, ok := m.ctxs[c]
	if !ok {
		id = int32(len(m.cname))
		m.cname = append(m.cname, c)
		m.ctxs[c] = id
	}
	return id
}

func (m *merger) add(i int, raw *sqlitecov.Raw, a *acc) {
	fids := make(map[int64]int32, len(raw.Files))
	for _, f := range raw.Files {
		id, ok := a.pathCache[f.Path]
		if !ok {
			id = m.fileID(f.Path)
			a.pathCache[f.Path] = id
		}
		// Inputs come to a worker in increasing order, so the first time a
		// worker sees a path is its earliest appearance for that worker;
		// build takes the minimum over workers.
		if fa, ok := a.firstAt[id]; !ok || int64(i) < fa[0] || int64(i) == fa[0] && f.ID < fa[1] {
			a.firstAt[id] = [2]int64{int64(i), f.ID}
		}
		fids[f.ID] = id
		a.files[id] = struct{}{}
	}
	cids := make(map[int64]int32, len(raw.Contexts))
	for _, c := range raw.Contexts {
		id, ok := a.ctxCache[c.Context]
		if !ok {
			id = m.ctxID(c.Context)
			a.ctxCache[c.Context] = id
		}
		cids[c.ID] = id
		a.usedCtx[id] = struct{}{}
	}
	for _, lb := range raw.LineBits {
		f, ok1 := fids[lb.FileID]
		c, ok2 := cids[lb.ContextID]
		if !ok1 || !ok2 {
			continue
		}
		k := key(f, c)
		a.lines[k] = sqlitecov.UnionNumbits(a.lines[k], lb.Numbits)
	}
	var lastRaw [2]int64
	var set *u64set
	for _, arc := range raw.Arcs {
		if set == nil || arc.FileID != lastRaw[0] || arc.ContextID != lastRaw[1] {
			f, ok1 := fids[arc.FileID]
			c, ok2 := cids[arc.ContextID]
			if !ok1 || !ok2 {
				set = nil
				continue
			}
			k := key(f, c)
			set = a.arcs[k]
			if set == nil {
				set = newU64set()
				a.arcs[k] = set
			}
			lastRaw = [2]int64{arc.FileID, arc.ContextID}
		}
		set.add(uint64(uint32(arc.From))<<32 | uint64(uint32(arc.To)))
	}
	// Every file of the input has a tracer, "" when the tracer table has no
	// row for it; coverage.py compares them as such.
	tr := make(map[int64]string, len(raw.Tracers))
	for _, t := range raw.Tracers {
		tr[t.FileID] = t.Tracer
	}
	for _, f := range raw.Files {
		a.tracers.observe(fids[f.ID], i, tr[f.ID])
	}
}

func key(f, c int32) uint64 { return uint64(uint32(f))<<32 | uint64(uint32(c)) }

// acc is one worker's merged data, keyed by mapped file id and context id.
type acc struct {
	pathCache map[string]int32
	firstAt   map[int32][2]int64 // raw file id -> earliest (input, row id) this worker saw
	ctxCache  map[string]int32
	files     map[int32]struct{}
	usedCtx   map[int32]struct{}
	lines     map[uint64][]byte
	arcs      map[uint64]*u64set
	tracers   tracerObs
}

func newAcc() *acc {
	return &acc{
		pathCache: map[string]int32{},
		firstAt:   map[int32][2]int64{},
		ctxCache:  map[string]int32{},
		files:     map[int32]struct{}{},
		usedCtx:   map[int32]struct{}{},
		lines:     map[uint64][]byte{},
		arcs:      map[uint64]*u64set{},
		tracers:   tracerObs{},
	}
}

func (a *acc) absorb(b *acc) {
	for id, fb := range b.firstAt {
		if fa, ok := a.firstAt[id]; !ok || fb[0] < fa[0] || fb[0] == fa[0] && fb[1] < fa[1] {
			a.firstAt[id] = fb
		}
	}
	for f := range b.files {
		a.files[f] = struct{}{}
	}
	for c := range b.usedCtx {
		a.usedCtx[c] = struct{}{}
	}
	for k, nb := range b.lines {
		a.lines[k] = sqlitecov.UnionNumbits(a.lines[k], nb)
	}
	for k, s := range b.arcs {
		t := a.arcs[k]
		if t == nil {
			a.arcs[k] = s
			continue
		}
		if s.len() > t.len() {
			s, t = t, s
			a.arcs[k] = t
		}
		s.each(t.add)
	}
	for f, o := range b.tracers {
		for _, v := range o {
			if v.idx >= 0 {
				a.tracers.observe(f, v.idx, v.tracer)
			}
		}
	}
}

// tracerSeen is a tracer name and the first input (lowest index) that gave it.
type tracerSeen struct {
	idx    int
	tracer string
}

// tracerObs keeps, per file, the tracer of the earliest input and the
// earliest input that disagreed with it: enough to report a conflict the
// way a sequential combine meets it.
type tracerObs map[int32]*[2]tracerSeen

func (t tracerObs) observe(f int32, idx int, tracer string) {
	o := t[f]
	if o == nil {
		t[f] = &[2]tracerSeen{{idx, tracer}, {-1, ""}}
		return
	}
	if idx < o[0].idx {
		if o[0].tracer != tracer {
			o[1] = o[0]
		}
		o[0] = tracerSeen{idx, tracer}
		if o[1].idx >= 0 && o[1].tracer == tracer {
			o[1] = tracerSeen{-1, ""}
		}
		return
	}
	if tracer != o[0].tracer && (o[1].idx < 0 || idx < o[1].idx) {
		o[1] = tracerSeen{idx, tracer}
	}
}

func (m *merger) build(a *acc, inputs []string, first map[int]string) (*sqlitecov.Data, error) {
	hasArcs := first[1] != ""
	hasLines := first[0] != ""
	d := sqlitecov.NewData()
	d.HasArcs, d.HasLines = hasArcs, hasLines
	for i, st := range m.state {
		if st.err == nil && (st.dupOf < 0 || st.dupOf >= i) && st.version != "" {
			d.Meta["version"] = st.version
			break
		}
	}
	m.firstAt = make([][2]int64, len(m.names))
	for id, f := range a.firstAt {
		m.firstAt[id] = f
	}
	mapped, names := m.mapPaths()
	if err := m.recordMeasured(d, mapped, names); err != nil {
		return nil, err
	}

	// Tracers, per mapped path: several raw paths can land on one.
	tracers := tracerObs{}
	for f, o := range a.tracers {
		for _, v := range o {
			if v.idx >= 0 {
				tracers.observe(mapped[f], v.idx, v.tracer)
			}
		}
	}
	// Conflicts: report the one on the first path, sorted, for a stable message.
	var conflicts []int32
	for f, o := range tracers {
		if o[1].idx >= 0 {
			conflicts = append(conflicts, f)
		}
	}
	if len(conflicts) > 0 {
		sort.Slice(conflicts, func(i, j int) bool { return names[conflicts[i]] < names[conflicts[j]] })
		o := tracers[conflicts[0]]
		return nil, fmt.Errorf("conflicting file tracer name for '%s': '%s' in %s vs '%s' in %s",
			names[conflicts[0]], o[0].tracer, inputs[o[0].idx], o[1].tracer, inputs[o[1].idx])
	}

	files := make(map[int32]*sqlitecov.File, len(a.files))
	for raw := range a.files {
		f := mapped[raw]
		if files[f] != nil {
			continue
		}
		sf := d.File(names[f])
		if hasArcs {
			sf.Arcs = map[string][][2]int{}
		} else if hasLines {
			sf.Lines = map[string][]int{}
		}
		if o := tracers[f]; o != nil {
			sf.Tracer = o[0].tracer
		}
		files[f] = sf
	}
	for c := range a.usedCtx {
		d.Contexts = append(d.Contexts, m.cname[c])
	}
	slices.Sort(d.Contexts)

	lines := make(map[uint64][]byte, len(a.lines))
	for k, nb := range a.lines {
		mk := key(mapped[int32(k>>32)], int32(uint32(k)))
		lines[mk] = sqlitecov.UnionNumbits(lines[mk], nb)
	}
	for k, nb := range lines {
		sf := files[int32(k>>32)]
		if sf.Lines == nil {
			sf.Lines = map[string][]int{}
		}
		sf.Lines[m.cname[int32(uint32(k))]] = sqlitecov.DecodeNumbits(nb)
	}
	arcSets := make(map[uint64][]*u64set, len(a.arcs))
	for k, s := range a.arcs {
		mk := key(mapped[int32(k>>32)], int32(uint32(k)))
		arcSets[mk] = append(arcSets[mk], s)
	}
	for k, sets := range arcSets {
		sf := files[int32(k>>32)]
		if sf.Arcs == nil {
			sf.Arcs = map[string][][2]int{}
		}
		n := 0
		for _, s := range sets {
			n += s.len()
		}
		arcs := make([][2]int, 0, n)
		for _, s := range sets {
			s.each(func(x uint64) {
				arcs = append(arcs, [2]int{int(int32(uint32(x >> 32))), int(int32(uint32(x)))})
			})
		}
		slices.SortFunc(arcs, func(p, q [2]int) int {
			if c := cmp.Compare(p[0], q[0]); c != 0 {
				return c
			}
			return cmp.Compare(p[1], q[1])
		})
		sf.Arcs[m.cname[int32(uint32(k))]] = slices.Compact(arcs)
	}
	return d, nil
}

// recordMeasured records in d's meta what measured each file (see
// sqlitecov.MeasuredKey) when the inputs carry such records or come from
// different coverage.py versions; equal plain inputs need no record.
func (m *merger) recordMeasured(d *sqlitecov.Data, mapped []int32, names []string) error {
	var used []*inputState
	record := false
	for i := range m.state {
		st := &m.state[i]
		// An input that measured no file (a process that ran none of the
		// selected code) says nothing about what measured the report's files.
		if st.err != nil || st.dupOf >= 0 && st.dupOf < i || len(st.files) == 0 {
			continue
		}
		used = append(used, st)
		record = record || st.measured != "" || st.version != used[0].version
	}
	if !record {
		return nil
	}
	mapPath := func(p string) string {
		if id, ok := m.paths[p]; ok {
			return names[mapped[id]]
		}
		if m.opts.MapPath != nil {
			p = m.opts.MapPath(p)
		}
		return fixSlashes(p)
	}
	parts := make([]sqlitecov.MeasuredPart, len(used))
	for i, st := range used {
		in := &sqlitecov.Data{Meta: map[string]string{"version": st.version}}
		if st.measured != "" {
			in.Meta[sqlitecov.MeasuredKey] = st.measured
		}
		srcs, err := in.Measured()
		if err != nil {
			return err
		}
		files := make([]string, len(st.files))
		for j, f := range st.files {
			files[j] = mapPath(f)
		}
		parts[i] = sqlitecov.MeasuredPart{Sources: srcs, Files: files, MapPath: mapPath}
	}
	d.SetMeasured(sqlitecov.JoinMeasured(parts))
	return nil
}

// Reason returns the one-line reason an input was unusable, for messages.
func Reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
