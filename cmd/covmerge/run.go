package main

import (
	"fmt"
	"io"

	"github.com/covkit/covkit/internal/cli"
	"github.com/covkit/covkit/merge"
	"github.com/covkit/covkit/pathmap"
	"github.com/covkit/covkit/pth"
)

var command = cli.Command{
	Name:     "covmerge",
	Synopsis: "covmerge [flags] [PATH...]",
	Summary: `Combine coverage.py data files into one, as "coverage combine" does, natively
and in parallel. Each PATH is a data file, or a directory whose files named
<data file>.* are combined, or - for a data file on standard input; no PATH
combines the data files beside the configured data file (.coverage). Lines and arcs are unioned per file and
context, duplicate inputs are counted once, and the inputs are deleted only
after the output is safely written (unless --keep). Unusable inputs are
skipped with a warning and kept on disk (an error with --strict).`,
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := cli.NewFlagSet(command)
	dataFile := fs.String("data-file", "", "the data file: `FILE`.* are the inputs found in directories, FILE the output (default: the configured data file, .coverage), as coverage.py's --data-file")
	output := fs.StringP("output", "o", "", "write the combined data to `FILE` instead of the data file (- for stdout)")
	appendF := fs.BoolP("append", "a", false, "add the data already in the output file")
	keep := fs.Bool("keep", false, "keep the input data files (default: delete them once the output is written)")
	paths := fs.StringArray("paths", nil, "remap file paths: `RESULT=PATTERN,PATTERN...`, like a [paths] entry (repeatable)")
	rcfile := fs.String("rcfile", "", "read coverage.py configuration from `FILE`")
	strict := fs.Bool("strict", false, "fail on an unusable input instead of skipping it")
	jobs := fs.IntP("jobs", "j", 0, "read `N` files at once (default: one per CPU)")
	quiet := fs.BoolP("quiet", "q", false, "don't print messages about what is happening (the summary line, the progress line); warnings still go to stderr")
	if done, code := cli.Parse(command, fs, args, stdout, stderr); done {
		return code
	}
	// A killed covrun's hooks go as soon as any covkit command runs.
	pth.Tidy()
	cfg, err := loadConfig(*rcfile)
	if err != nil {
		return cli.Exit(command.Name, stderr, err)
	}
	// --paths rules come first: the first matching rule wins, so the
	// command line overrides [paths].
	var rules []pathmap.Rule
	for _, p := range *paths {
		r, err := pathmap.ParseFlag(p)
		if err != nil {
			return cli.Exit(command.Name, stderr, cli.UsageError("%v", err))
		}
		rules = append(rules, r)
	}
	rules = append(rules, cfg.rules...)
	var mapPath func(string) string
	if len(rules) > 0 || cfg.relativeFiles {
		m, err := pathmap.Compile(rules, pathmap.Options{RelativeFiles: cfg.relativeFiles})
		if err != nil {
			return cli.Exit(command.Name, stderr, err)
		}
		mapPath = func(p string) string { s, _ := m.Map(p); return s }
	}
	if *dataFile != "" {
		cfg.dataFile = *dataFile
	}
	o := merge.CombineOptions{
		DataFile: cfg.dataFile,
		Paths:    fs.Args(),
		Output:   *output,
		Stdout:   stdout,
		Stdin:    stdin,
		Append:   *appendF,
		Keep:     *keep,
		Strict:   *strict,
		MapPath:  mapPath,
		Select:   cfg.sel,
		Jobs:     *jobs,
		Warn:     func(s string) { cli.Warnf(stderr, "%s", s) },
	}
	if !*quiet {
		o.Message = func(s string) { fmt.Fprintln(stderr, s) }
		o.Progress = func(n int) func() { return cli.Progress(stderr, command.Name, n) }
	}
	_, err = merge.Combine(o)
	return cli.Exit(command.Name, stderr, err)
}
