package main

import (
	"testing"

	"github.com/covkit/covkit/internal/readmeflags"
)

// Every flag the README shows covrun with exists.
func TestREADMEFlags(t *testing.T) { readmeflags.Check(t, "covrun", run) }
