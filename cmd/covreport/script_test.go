package main

import (
	"os"
	"testing"

	"github.com/covkit/covkit/internal/scriptdata"
	"github.com/covkit/covkit/internal/testnodes"
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
			"mkdata": scriptdata.Mkdata{UnderWork: true, Covkit: true}.Cmd,
		},
		Setup: func(env *testscript.Env) error {
			env.Setenv("SOURCE_DATE_EPOCH", "1700000000")
			env.Setenv("TZ", "UTC")
			return nil
		},
	})
}
