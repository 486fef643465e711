package main

import (
	"testing"

	"github.com/covkit/covkit/internal/readmeflags"
)

// Every flag the README shows covmerge with exists.
func TestREADMEFlags(t *testing.T) { readmeflags.Check(t, "covmerge", run) }
