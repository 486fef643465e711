package main

import (
	"os"

	"github.com/covkit/covkit/pathmap"
)

// config is what covmerge takes from coverage.py's configuration.
type config struct {
	dataFile      string
	relativeFiles bool
	rules         []pathmap.Rule
}

// loadConfig reads the configuration. Until covconfig lands it knows only
// COVERAGE_FILE; rcfile is accepted for compatibility.
func loadConfig(rcfile string) (config, error) {
	c := config{dataFile: ".coverage"}
	if v := os.Getenv("COVERAGE_FILE"); v != "" {
		c.dataFile = v
	}
	_ = rcfile
	return c, nil
}
