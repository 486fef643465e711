//go:build unix

package outfile

import (
	"slices"
	"testing"
)

// Append adds to what is there and never replaces the node at the path.
func TestAppendTargets(t *testing.T) {
	add := []byte("| table |\n")
	checkTargets(t, commonTargets("# earlier step\n", add), func(out string) error {
		return Append(out, add)
	}, func(before []byte) []byte { return slices.Concat(before, add) })
	if err := Append(t.TempDir(), add); err == nil {
		t.Error("Append to a directory succeeded")
	}
}
