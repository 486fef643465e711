package main

import (
	"testing"

	"github.com/covkit/covkit/internal/readmeflags"
)

// Every flag the README shows covreport with exists.
func TestREADMEFlags(t *testing.T) { readmeflags.Check(t, "covreport", run) }
