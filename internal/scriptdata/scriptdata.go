// Package scriptdata is the testscript command that writes coverage.py data
// files for the commands' script tests (covreport, covmerge):
//
//	mkdata FILE [-arcs] [-version=V] [-python=V] PATH[@CONTEXT][#TRACER]=ITEMS...
//
// ITEMS are comma-separated line numbers, or with -arcs FROM>TO pairs;
// CONTEXT labels them (default: the empty context), TRACER names the
// file's tracer plugin. The file says coverage.py -version (default 7.16.1)
// made it ("" writes no version).
package scriptdata

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/covkit/covkit/sqlitecov"
	"github.com/rogpeppe/go-internal/testscript"
)

// Mkdata is the mkdata command of one suite.
type Mkdata struct {
	// UnderWork makes each PATH absolute under $WORK (one written raw:PATH
	// is kept as written: relative, or with ".."); otherwise every PATH is
	// kept as written.
	UnderWork bool
	// Covkit records, as covkit does, that CPython -python (default 3.14)
	// measured the data (an empty -python= records nothing, like data from
	// coverage.py itself), and prints "wrote FILE".
	Covkit bool
}

// Cmd is the command, for testscript.Params.Cmds.
func (m Mkdata) Cmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: mkdata FILE [-arcs] [-version=V] [-python=V] PATH[@CONTEXT][#TRACER]=ITEMS...")
	}
	d := sqlitecov.NewData()
	version, python := "7.16.1", "3.14"
	arcs := false
	file := ts.MkAbs(args[0])
	for _, a := range args[1:] {
		if a == "-arcs" {
			arcs = true
			continue
		}
		if v, ok := strings.CutPrefix(a, "-version="); ok {
			version = v
			continue
		}
		if v, ok := strings.CutPrefix(a, "-python="); ok {
			python = v
			continue
		}
		spec, items, ok := strings.Cut(a, "=")
		if !ok {
			ts.Fatalf("mkdata: bad %q", a)
		}
		spec, tracer, _ := strings.Cut(spec, "#")
		p, ctx, _ := strings.Cut(spec, "@")
		if !slices.Contains(d.Contexts, ctx) {
			d.Contexts = append(d.Contexts, ctx)
			slices.Sort(d.Contexts)
		}
		f := d.File(m.path(ts, p))
		f.Tracer = tracer
		addItems(ts, f, ctx, items, arcs)
	}
	d.HasArcs, d.HasLines = arcs, !arcs
	if version != "" {
		d.Meta["version"] = version
	}
	if m.Covkit && python != "" {
		d.SetMeasured([]sqlitecov.Source{{Python: python, Coverage: version}})
	}
	ts.Check(os.MkdirAll(filepath.Dir(file), 0o777))
	ts.Check(sqlitecov.WriteFile(file, d))
	if m.Covkit {
		fmt.Fprintf(ts.Stdout(), "wrote %s\n", filepath.Base(file))
	}
}

func (m Mkdata) path(ts *testscript.TestScript, p string) string {
	if !m.UnderWork {
		return p
	}
	if raw, ok := strings.CutPrefix(p, "raw:"); ok {
		return raw
	}
	return ts.MkAbs(p)
}

// addItems adds the lines or arcs of one context to f.
func addItems(ts *testscript.TestScript, f *sqlitecov.File, ctx, items string, arcs bool) {
	if arcs && f.Arcs == nil {
		f.Arcs = map[string][][2]int{}
	}
	if !arcs && f.Lines == nil {
		f.Lines = map[string][]int{}
	}
	for _, item := range strings.Split(items, ",") {
		if item == "" {
			continue
		}
		if arcs {
			x, y, _ := strings.Cut(item, ">")
			a, err1 := strconv.Atoi(x)
			b, err2 := strconv.Atoi(y)
			if err1 != nil || err2 != nil {
				ts.Fatalf("mkdata: bad arc %q", item)
			}
			f.Arcs[ctx] = append(f.Arcs[ctx], [2]int{a, b})
		} else {
			n, err := strconv.Atoi(item)
			if err != nil {
				ts.Fatalf("mkdata: bad line %q", item)
			}
			f.Lines[ctx] = append(f.Lines[ctx], n)
		}
	}
}
