package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/covkit/covkit/internal/testbed"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"covrun": func() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

func TestUsage(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"-h"}, nil, &out, &errb); code != 0 {
		t.Fatalf("-h exited %d: %s", code, errb.String())
	}
	golden := filepath.Join("testdata", "usage.golden")
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != string(want) {
		t.Errorf("usage changed; run go test -update\n got:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{}, 2, "no command given"},
		{[]string{"--no-such-flag"}, 2, "unknown flag"},
		{[]string{"--contexts", "thread", "--", "true"}, 2, "unknown kind"},
		{[]string{"--collect-tls", "c.pem,k.pem", "--", "true"}, 2, "--collect-tls needs --collect"},
		{[]string{"--version"}, 0, ""},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		code := run(tt.args, nil, &out, &errb)
		if code != tt.code || !strings.Contains(errb.String(), tt.msg) {
			t.Errorf("covrun %q: exit %d stderr %q; want exit %d containing %q", tt.args, code, errb.String(), tt.code, tt.msg)
		}
	}
}

// staticCovrun builds covrun, covdocker (which covrun runs for
// containers), covmerge and covreport as the release does, static so they run inside the test bed
// trees, into dir.
func staticCovrun(t *testing.T, dir string) {
	t.Helper()
	cmd := exec.Command("go", "build", "-o", dir+"/", ".", "../covdocker", "../covmerge", "../covreport")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build covrun: %v\n%s", err, out)
	}
}

// TestScripts runs the end-to-end scripts in testdata/script in the host and
// sid test beds: real interpreters, real coverage.py, the real covrun binary.
//
// In scripts, `inbed [-exit N] CMD ARGS...` runs CMD in the bed, in the
// script's directory, with covrun on PATH; its output is the command's.
func TestScripts(t *testing.T) {
	runScripts(t, filepath.Join("testdata", "script"), "host", "sid")
}

// TestPytestScripts runs the scripts about pytest and unittest users
// (pytest-cov in the same session, test contexts) in every bed: each has
// its own pytest, pytest-cov and pytest-xdist (4.0, 5.0 and 7.1 of
// pytest-cov).
func TestPytestScripts(t *testing.T) {
	runScripts(t, filepath.Join("testdata", "pytest"), testbed.Names...)
}

func runScripts(t *testing.T, dir string, beds ...string) {
	for _, name := range beds {
		t.Run(name, func(t *testing.T) {
			bed := testbed.Get(t, name)
			binHost, binBed := bed.TempDir(t)
			staticCovrun(t, binHost)
			root, _ := bed.TempDir(t)
			testscript.Run(t, testscript.Params{
				Dir:         dir,
				WorkdirRoot: root,
				Setup: func(e *testscript.Env) error {
					e.Setenv("BED", name)
					return nil
				},
				Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
					"inbed": func(ts *testscript.TestScript, neg bool, args []string) {
						inbed(ts, neg, args, bed, binBed)
					},
				},
				Condition: func(cond string) (bool, error) {
					if b, ok := strings.CutPrefix(cond, "bed:"); ok {
						return b == name, nil
					}
					return false, fmt.Errorf("unknown condition %q", cond)
				},
			})
		})
	}
}

func inbed(ts *testscript.TestScript, neg bool, args []string, bed *testbed.Bed, binBed string) {
	want := 0
	if len(args) >= 2 && args[0] == "-exit" {
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		want, args = n, args[2:]
	}
	if len(args) == 0 {
		ts.Fatalf("usage: inbed [-exit N] CMD ARGS...")
	}
	dir := ts.MkAbs(".")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	path := "PATH=" + binBed + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	cmd := bed.Command(ctx, bed.BedPath(dir), []string{path}, args...)
	if bed.Root == "" {
		cmd.Dir = dir
		cmd.Env = append(cmd.Env, path)
	}
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	err := cmd.Run()
	fmt.Fprint(ts.Stdout(), so.String())
	fmt.Fprint(ts.Stderr(), se.String())
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			ts.Fatalf("inbed: %v", err)
		}
		code = ee.ExitCode()
	}
	if neg {
		if code == 0 {
			ts.Fatalf("inbed %q: unexpected success", args)
		}
		return
	}
	if code != want {
		ts.Fatalf("inbed %q: exit %d, want %d\nstderr:\n%s", args, code, want, se.String())
	}
}

// COVKIT_APPEND must say on or off; a value that says neither stops covrun
// before anything runs.
func TestAppendEnvironment(t *testing.T) {
	t.Setenv("COVKIT_APPEND", "sometimes")
	var out, errb bytes.Buffer
	if code := run([]string{"--", "true"}, nil, &out, &errb); code != 2 || !strings.Contains(errb.String(), `COVKIT_APPEND="sometimes"`) {
		t.Errorf("exit %d, stderr %q; want a usage error naming COVKIT_APPEND", code, errb.String())
	}
}
