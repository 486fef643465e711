package main

import (
	"github.com/covkit/covkit/covconfig"
	"github.com/covkit/covkit/filesel"
	"github.com/covkit/covkit/pathmap"
)

// config is what covmerge takes from coverage.py's configuration.
type config struct {
	dataFile      string
	relativeFiles bool
	rules         []pathmap.Rule
	// sel chooses the files of lean engine data, as the measured
	// processes' coverage.py would have.
	sel *filesel.Selector
}

// loadConfig reads coverage.py's configuration (--rcfile, COVERAGE_RCFILE,
// .coveragerc, setup.cfg, tox.ini, pyproject.toml; COVERAGE_FILE).
func loadConfig(rcfile string) (config, error) {
	c, err := covconfig.Load(covconfig.LoadOptions{RCFile: rcfile})
	if err != nil {
		return config{}, err
	}
	sel, err := filesel.New(filesel.Config{
		Source: c.Run.Source, SourcePkgs: c.Run.SourcePkgs, SourceDirs: c.Run.SourceDirs,
		Include: c.Run.Include, Omit: c.Run.Omit, CoverPylib: c.Run.CoverPylib,
	}, "")
	if err != nil {
		return config{}, err
	}
	return config{dataFile: c.Run.DataFile, relativeFiles: c.Run.RelativeFiles, rules: c.PathRules(), sel: sel}, nil
}
