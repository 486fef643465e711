package main

import (
	"io"
	"os"

	"github.com/covkit/covkit/analysis"
	"github.com/covkit/covkit/internal/cli"
	"github.com/covkit/covkit/pth"
	"github.com/covkit/covkit/reporting"
)

var command = cli.Command{
	Name:     "covreport",
	Synopsis: "covreport [flags] [DATAFILE...]",
	Summary: `Write coverage.py's reports (text table, Cobertura XML, LCOV, JSON) from
coverage.py data files, byte for byte as coverage.py 7.16 writes them. With no
DATAFILE the configured data file (.coverage) is read; several are merged in
memory. The text table goes to stdout unless only other reports are asked for.`,
	Footer: `Settings come from the coverage.py configuration ([run], [report], [xml],
[lcov], [json], [html], [paths]); flags override them. Exit status: 0, 1 on
errors, 2 on usage errors or when the total is under --fail-under.

coverage.py's report options (report, html, xml, json, lcov), by name:
  the same here: --contexts, --data-file, --fail-under, --format, -h/--help,
    -i/--ignore-errors, --include, --omit, --precision, --pretty-print,
    -q/--quiet, --rcfile, --show-contexts, -m/--show-missing, --skip-covered,
    --no-skip-covered, --skip-empty, --sort, --title
  another name here: -d/--directory DIR is --html DIR; -o FILE is --xml FILE,
    --json FILE or --lcov FILE (one command writes several reports)
  not here: --debug (covkit has no debug topics); --keep (covreport never
    deletes data files); [modules] arguments (the arguments are data files:
    choose files with --include).`,
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := cli.NewFlagSet(command)
	dataFile := fs.String("data-file", "", "read coverage data from `FILE` (default: the configured data file, .coverage), as coverage.py's --data-file")
	who := fs.String("who", "", "instead of reports, list the contexts that ran `FILE:LINE`, sorted, one per line: the tests (with covrun --contexts test) or processes (--contexts process); exit 1 if the line did not run")
	flags := reporting.AddFlags(fs)
	if done, code := cli.Parse(command, fs, args, stdout, stderr); done {
		return code
	}
	var spot *analysis.Spot
	if fs.Changed("who") {
		s, err := analysis.ParseSpot(*who)
		if err != nil {
			return cli.Exit(command.Name, stderr, cli.UsageError("%v", err))
		}
		for _, name := range []string{"xml", "json", "lcov", "html", "reports", "text", "history"} {
			if fs.Changed(name) {
				return cli.Exit(command.Name, stderr, cli.UsageError("--who writes no reports: drop --%s", name))
			}
		}
		spot = &s
	}
	// A killed covrun's hooks go as soon as any covkit command runs.
	pth.Tidy()
	dataFiles := fs.Args()
	if *dataFile != "" {
		dataFiles = append([]string{*dataFile}, dataFiles...)
	}
	return cli.Exit(command.Name, stderr, report(flags, spot, dataFiles, stdin, stdout, stderr))
}

func report(flags *reporting.Flags, spot *analysis.Spot, dataFiles []string, stdin io.Reader, stdout, stderr io.Writer) error {
	analyzer, err := flags.Analyzer()
	if err != nil {
		return cli.UsageError("%v", err)
	}
	settings, warnings, err := reporting.LoadSettings("", flags.RCFile, os.Getenv)
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
	if spot != nil {
		flags.Apply(&settings)
		_, contexts, err := analysis.Who(data, *spot, analysis.WhoOptions{
			Paths: settings.Paths, RelativeFiles: settings.RelativeFiles, Contexts: settings.Contexts,
		})
		if err != nil {
			return err
		}
		return analysis.WriteWho(stdout, contexts)
	}
	outcome, err := reporting.WriteReports(analysis.BuilderFor(data), flags, settings, analyzer, reporting.Env{
		Stdin: stdin, Stdout: stdout, Stderr: stderr, Getenv: os.Getenv,
	})
	if err == nil && outcome.FailedUnder {
		// coverage.py's status; the failure is already on stdout.
		return &cli.ExitCodeError{Code: cli.ExitUsage}
	}
	return err
}
