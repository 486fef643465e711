package main

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/covkit/covkit/internal/scriptdata"
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
			"mkdata":   scriptdata.Mkdata{}.Cmd,
			"dumpdata": cmdDumpdata,
		},
	})
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
