package main

import (
	"io"

	"github.com/covkit/covkit/internal/cli"
)

var command = cli.Command{
	Name:     "covreport",
	Synopsis: "covreport [flags]",
	Summary:  "Not implemented yet.",
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := cli.NewFlagSet(command)
	if done, code := cli.Parse(command, fs, args, stdout, stderr); done {
		return code
	}
	return cli.Exit(command.Name, stderr, cli.UsageError("not implemented yet"))
}
