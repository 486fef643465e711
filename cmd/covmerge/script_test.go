package main

import (
	"fmt"
	"maps"
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
		"covmerge": func() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:       "testdata/script",
		Condition: testnodes.Condition,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"mkdata":   cmdMkdata,
			"dumpdata": cmdDumpdata,
		},
	})
}

// mkdata FILE [-arcs] PATH[@CONTEXT][#TRACER]=ITEMS... writes a coverage.py
// data file. ITEMS are comma-separated line numbers, or with -arcs FROM>TO
// pairs. PATH is kept as written (absolute paths stay absolute).
func cmdMkdata(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: mkdata FILE [-arcs] PATH[@CONTEXT][#TRACER]=ITEMS...")
	}
	d := sqlitecov.NewData()
	d.Meta["version"] = "7.16.1"
	d.HasLines = true
	for _, a := range args[1:] {
		if a == "-arcs" {
			d.HasArcs, d.HasLines = true, false
			continue
		}
		spec, items, ok := strings.Cut(a, "=")
		if !ok {
			ts.Fatalf("mkdata: bad %q", a)
		}
		spec, tracer, _ := strings.Cut(spec, "#")
		path, ctx, _ := strings.Cut(spec, "@")
		f := d.File(path)
		f.Tracer = tracer
		if !slices.Contains(d.Contexts, ctx) {
			d.Contexts = append(d.Contexts, ctx)
			slices.Sort(d.Contexts)
		}
		if d.HasArcs && f.Arcs == nil {
			f.Arcs = map[string][][2]int{}
		}
		if d.HasLines && f.Lines == nil {
			f.Lines = map[string][]int{}
		}
		for _, it := range strings.Split(items, ",") {
			if it == "" {
				continue
			}
			if d.HasArcs {
				from, to, _ := strings.Cut(it, ">")
				x, err1 := strconv.Atoi(from)
				y, err2 := strconv.Atoi(to)
				if err1 != nil || err2 != nil {
					ts.Fatalf("mkdata: bad arc %q", it)
				}
				f.Arcs[ctx] = append(f.Arcs[ctx], [2]int{x, y})
			} else {
				n, err := strconv.Atoi(it)
				if err != nil {
					ts.Fatalf("mkdata: bad line %q", it)
				}
				f.Lines[ctx] = append(f.Lines[ctx], n)
			}
		}
	}
	ts.Check(os.MkdirAll(filepath.Dir(ts.MkAbs(args[0])), 0o777))
	ts.Check(sqlitecov.WriteFile(ts.MkAbs(args[0]), d))
}

// dumpdata FILE prints a data file as text on stdout.
func cmdDumpdata(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: dumpdata FILE")
	}
	d, err := sqlitecov.ReadFile(ts.MkAbs(args[0]))
	if neg {
		if err == nil {
			ts.Fatalf("dumpdata: %s is readable", args[0])
		}
		return
	}
	ts.Check(err)
	var b strings.Builder
	fmt.Fprintf(&b, "has_arcs=%v has_lines=%v version=%s\n", d.HasArcs, d.HasLines, d.Meta["version"])
	fmt.Fprintf(&b, "contexts=%q\n", d.Contexts)
	for _, p := range d.Paths() {
		f := d.Files[p]
		fmt.Fprintf(&b, "%s", p)
		if f.Tracer != "" {
			fmt.Fprintf(&b, " #%s", f.Tracer)
		}
		b.WriteString("\n")
		for _, c := range slices.Sorted(maps.Keys(f.Lines)) {
			fmt.Fprintf(&b, "  @%s lines %v\n", c, f.Lines[c])
		}
		for _, c := range slices.Sorted(maps.Keys(f.Arcs)) {
			fmt.Fprintf(&b, "  @%s arcs %v\n", c, f.Arcs[c])
		}
	}
	ts.Stdout().Write([]byte(b.String()))
}
