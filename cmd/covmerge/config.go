package main

import (
	"github.com/covkit/covkit/covconfig"
	"github.com/covkit/covkit/pathmap"
)

// config is what covmerge takes from coverage.py's configuration.
type config struct {
	dataFile      string
	relativeFiles bool
	rules         []pathmap.Rule
}

// loadConfig reads coverage.py's configuration (--rcfile, COVERAGE_RCFILE,
// .coveragerc, setup.cfg, tox.ini, pyproject.toml; COVERAGE_FILE).
func loadConfig(rcfile string) (config, error) {
	c, err := covconfig.Load(covconfig.LoadOptions{RCFile: rcfile})
	if err != nil {
		return config{}, err
	}
	return config{dataFile: c.Run.DataFile, relativeFiles: c.Run.RelativeFiles, rules: c.PathRules()}, nil
}
