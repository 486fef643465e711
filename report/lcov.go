package report

import (
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// lcovField replaces non-printable characters (as Python's str.isprintable
// judges them) with "?", so a field cannot break the line-based format.
func lcovField(s string) string {
	ok := true
	for _, r := range s {
		if !pyPrintable(r) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if pyPrintable(r) {
			b.WriteRune(r)
		} else {
			b.WriteByte('?')
		}
	}
	return b.String()
}

// pyPrintable approximates Python's str.isprintable: everything but the
// "Other" and "Separator" categories, except the ASCII space.
func pyPrintable(r rune) bool {
	if r == ' ' {
		return true
	}
	return !(unicode.In(r, unicode.C, unicode.Z))
}

func lineHash(line string) string {
	h := md5.Sum([]byte(line))
	return strings.TrimRight(base64.StdEncoding.EncodeToString(h[:]), "=")
}

// WriteLCOV writes an LCOV tracefile exactly as coverage.py's "coverage
// lcov" does and returns the total percentage (0 when there are no
// statements).
func WriteLCOV(w io.Writer, s *Set, o *Options) (float64, error) {
	if len(s.Files) == 0 {
		return 0, ErrNoData
	}
	files := sortedByFilename(s.Files)
	sort.SliceStable(files, func(i, j int) bool {
		if files[i].RelName != files[j].RelName {
			return files[i].RelName < files[j].RelName
		}
		return files[i].Filename < files[j].Filename
	})
	total := Numbers{Precision: o.Precision}
	var b strings.Builder
	for _, f := range files {
		a := f.analysis(o.Precision, s.HasArcs)
		total = total.Add(a.numbers)
		if a.numbers.Statements == 0 && o.SkipEmpty {
			continue
		}
		b.WriteString("SF:" + lcovField(f.RelName) + "\n")
		var srcLines []string
		if o.LineChecksums {
			srcLines = pySplitlines(f.Source)
		}
		missing := make(map[int]bool, len(a.missing))
		for _, l := range a.missing {
			missing[l] = true
		}
		for _, line := range a.statements {
			suffix := ""
			if len(srcLines) > 0 {
				if line-1 < len(srcLines) {
					suffix = "," + lineHash(srcLines[line-1])
				}
			}
			hit := 1
			if missing[line] {
				hit = 0
			}
			fmt.Fprintf(&b, "DA:%d,%d%s\n", line, hit, suffix)
		}
		if a.numbers.Statements > 0 {
			fmt.Fprintf(&b, "LF:%d\nLH:%d\n", a.numbers.Statements, a.numbers.Executed())
		}
		lcovFunctions(&b, f, a)
		if s.HasArcs {
			lcovArcs(&b, f, a)
		}
		b.WriteString("end_of_record\n")
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return 0, err
	}
	if total.Statements == 0 {
		return 0, nil
	}
	return total.PcCovered(), nil
}

func lcovFunctions(b *strings.Builder, f *File, a *fileAnalysis) {
	type fn struct {
		first, last int
		r           *Region
		idx         int
	}
	var fns []fn
	for i := range f.Regions {
		r := &f.Regions[i]
		if r.Kind != "function" || len(r.Lines) == 0 {
			continue
		}
		first, last := r.Start, r.Start
		for _, l := range r.Lines {
			first = min(first, l)
			last = max(last, l)
		}
		fns = append(fns, fn{first, last, r, i})
	}
	if len(fns) == 0 {
		return
	}
	nw := newNarrower(a)
	liness := make([][]int, len(fns))
	for i, x := range fns {
		liness[i] = x.r.Lines
	}
	nw.addRegions(liness)
	// Python sorts (first, last, region) tuples; regions compare by name,
	// then by their smallest line.
	sort.SliceStable(fns, func(i, j int) bool {
		x, y := fns[i], fns[j]
		if x.first != y.first {
			return x.first < y.first
		}
		if x.last != y.last {
			return x.last < y.last
		}
		if x.r.Name != y.r.Name {
			return x.r.Name < y.r.Name
		}
		return x.r.Lines[0] < y.r.Lines[0]
	})
	found, hitN := 0, 0
	for _, x := range fns {
		na := nw.narrow(x.r.Lines)
		if na.numbers.Statements == 0 {
			continue
		}
		found++
		hit := 0
		if na.numbers.Executed() > 0 {
			hit = 1
		}
		hitN += hit
		name := lcovField(x.r.Name)
		fmt.Fprintf(b, "FN:%d,%d,%s\nFNDA:%d,%s\n", x.first, x.last, name, hit, name)
	}
	fmt.Fprintf(b, "FNF:%d\nFNH:%d\n", found, hitN)
}

func describeArc(br *Branches, from, to int) string {
	if br != nil && br.Describe != nil {
		return br.Describe(from, to)
	}
	if to < 0 {
		return "return from function"
	}
	return "jump to line " + strconv.Itoa(to)
}

func lcovArcs(b *strings.Builder, f *File, a *fileAnalysis) {
	stats := a.branchStats()
	exec := a.executedBranchArcs()
	miss := a.missingBranchArcs()
	type dest struct {
		dst int
		hit string
	}
	for _, line := range a.statements {
		st, ok := stats[line]
		if !ok {
			continue
		}
		var ds []dest
		if st[1] == 0 {
			for _, d := range miss[line] {
				ds = append(ds, dest{d, "-"})
			}
		} else {
			for _, d := range exec[line] {
				ds = append(ds, dest{d, "1"})
			}
			for _, d := range miss[line] {
				ds = append(ds, dest{d, "0"})
			}
		}
		sort.SliceStable(ds, func(i, j int) bool {
			ni, nj := ds[i].dst < 0, ds[j].dst < 0
			if ni != nj {
				return !ni
			}
			if ds[i].dst != ds[j].dst {
				return ds[i].dst < ds[j].dst
			}
			return ds[i].hit < ds[j].hit
		})
		for _, d := range ds {
			fmt.Fprintf(b, "BRDA:%d,0,%s,%s\n", line, lcovField(describeArc(f.Branch, line, d.dst)), d.hit)
		}
	}
	brf, missing := 0, 0
	for _, st := range stats {
		brf += st[0]
		missing += st[0] - st[1]
	}
	if brf > 0 {
		fmt.Fprintf(b, "BRF:%d\nBRH:%d\n", brf, brf-missing)
	}
}

// pySplitlines is Python's str.splitlines() (without keepends).
func pySplitlines(s string) []string {
	var out []string
	for start, i := 0, 0; i < len(s); {
		end, next := pyLineEnd(s, i)
		out = append(out, s[start:end])
		start, i = next, next
	}
	return out
}

// pyLineCount is len(s.splitlines()) without building the lines.
func pyLineCount(s string) int {
	n := 0
	for i := 0; i < len(s); n++ {
		_, i = pyLineEnd(s, i)
	}
	return n
}

// pyLineEnd finds the end of the line that starts at i, as splitlines
// sees line boundaries: end is where its text ends, next where the next
// line starts (after the boundary; len(s) for the last line).
func pyLineEnd(s string, i int) (end, next int) {
	for i < len(s) {
		r, size := decodeRune(s[i:])
		switch r {
		case '\n', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
			return i, i + size
		case '\r':
			end, i = i, i+size
			if i < len(s) && s[i] == '\n' {
				i++
			}
			return end, i
		}
		i += size
	}
	return len(s), len(s)
}
