package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/covkit/covkit/internal/testnodes"
	"github.com/covkit/covkit/sqlitecov"
	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"covreport": func() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:       "testdata/script",
		Condition: testnodes.Condition,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"mkdata": cmdMkdata,
		},
		Setup: func(env *testscript.Env) error {
			env.Setenv("SOURCE_DATE_EPOCH", "1700000000")
			env.Setenv("TZ", "UTC")
			return nil
		},
	})
}

// mkdata FILE [-arcs] [-version=V] [-python=V] PATH[@CONTEXT]=LINES... writes a
// coverage.py data file. PATH is relative to $WORK; CONTEXT labels the
// lines (default: the empty context); LINES are
// comma-separated line numbers, or for -arcs comma-separated FROM>TO pairs.
// A PATH written raw:PATH is stored as it is (relative, with "..").
// The file says coverage.py -version (default 7.16.1) made it, and records
// (as covkit does) that CPython -python (default 3.14) measured it; an empty
// -python= records nothing, like data from coverage.py itself.
func cmdMkdata(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: mkdata FILE [-arcs] PATH=LINES...")
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
		p, spec, ok := strings.Cut(a, "=")
		if !ok {
			ts.Fatalf("mkdata: bad %q", a)
		}
		p, ctx, _ := strings.Cut(p, "@")
		if !slices.Contains(d.Contexts, ctx) {
			d.Contexts = append(d.Contexts, ctx)
			slices.Sort(d.Contexts)
		}
		path := ts.MkAbs(p)
		if raw, ok := strings.CutPrefix(p, "raw:"); ok {
			path = raw // as written: relative, or with ".."
		}
		f := d.File(path)
		for _, item := range strings.Split(spec, ",") {
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
				if f.Arcs == nil {
					f.Arcs = map[string][][2]int{}
				}
				f.Arcs[ctx] = append(f.Arcs[ctx], [2]int{a, b})
			} else {
				n, err := strconv.Atoi(item)
				if err != nil {
					ts.Fatalf("mkdata: bad line %q", item)
				}
				if f.Lines == nil {
					f.Lines = map[string][]int{}
				}
				f.Lines[ctx] = append(f.Lines[ctx], n)
			}
		}
		if arcs && f.Arcs == nil {
			f.Arcs = map[string][][2]int{ctx: nil}
		}
		if !arcs && f.Lines == nil {
			f.Lines = map[string][]int{ctx: nil}
		}
	}
	d.HasArcs, d.HasLines = arcs, !arcs
	if version != "" {
		d.Meta["version"] = version
	}
	if python != "" {
		d.SetMeasured([]sqlitecov.Source{{Python: python, Coverage: version}})
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o777); err != nil {
		ts.Fatalf("%v", err)
	}
	ts.Check(sqlitecov.WriteFile(file, d))
	fmt.Fprintf(ts.Stdout(), "wrote %s\n", filepath.Base(file))
}
