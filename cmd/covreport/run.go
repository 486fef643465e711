package main

import (
	"io"
	"os"

	"github.com/covkit/covkit/analysis"
	"github.com/covkit/covkit/internal/cli"
	"github.com/covkit/covkit/pth"
	"github.com/covkit/covkit/pyarcs"
)

var command = cli.Command{
	Name:     "covreport",
	Synopsis: "covreport [flags] [DATAFILE...]",
	Summary: `Write coverage.py's reports (text table, Cobertura XML, LCOV, JSON) from
coverage.py data files, byte for byte as coverage.py 7.16 writes them. With no
DATAFILE the configured data file (.coverage) is read; several are merged in
memory. The text table goes to stdout unless only other reports are asked for.`,
	Footer: `Settings come from the coverage.py configuration ([run], [report], [xml],
[lcov], [json], [paths]); flags override them. Exit status: 0, 1 on errors,
2 on usage errors or when the total is under --fail-under.`,
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := cli.NewFlagSet(command)
	flags := analysis.AddFlags(fs)
	if done, code := cli.Parse(command, fs, args, stdout, stderr); done {
		return code
	}
	// A killed covrun's hooks go as soon as any covkit command runs.
	pth.Tidy()
	return cli.Exit(command.Name, stderr, report(flags, fs.Args(), stdin, stdout, stderr))
}

func report(flags *analysis.Flags, dataFiles []string, stdin io.Reader, stdout, stderr io.Writer) error {
	analyzer, err := flags.Analyzer(pyarcs.Facts)
	if err != nil {
		return cli.UsageError("%v", err)
	}
	settings, warnings, err := analysis.LoadSettings("", flags.RCFile, os.Getenv)
	if err != nil {
		return err
	}
	for _, w := range warnings {
		cli.Warnf(stderr, "%s", w)
	}
	if len(dataFiles) == 0 {
		dataFiles = []string{settings.DataFile}
	}
	data, err := analysis.LoadData(dataFiles, stdin)
	if err != nil {
		return err
	}
	_, err = analysis.WriteReports(data, flags, settings, analyzer, analysis.Env{
		Stdin: stdin, Stdout: stdout, Stderr: stderr, Getenv: os.Getenv,
	})
	return err
}
