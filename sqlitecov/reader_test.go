package sqlitecov

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFileReader(t *testing.T) {
	var fr FileReader
	defer fr.Close()
	files := testFiles(t)
	empty := filepath.Join(t.TempDir(), "empty")
	os.WriteFile(empty, nil, 0o666)
	for round := range 2 { // reuse across files and rounds
		for _, f := range files {
			var want, got Raw
			if _, err := ReadFileRaw(f, &want, nil); err != nil {
				t.Fatal(err)
			}
			var seen []byte
			if err := fr.ReadRaw(f, &got, func(b []byte) { seen = bytes.Clone(b) }); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("round %d %s (-ReadFileRaw +FileReader):\n%s", round, f, diff)
			}
			if onDisk, _ := os.ReadFile(f); !bytes.Equal(seen, onDisk) {
				t.Errorf("%s: inspect saw other bytes than the file's", f)
			}
		}
		var r Raw
		if err := fr.ReadRaw(empty, &r, nil); !errors.Is(err, ErrEmpty) {
			t.Errorf("empty file: %v", err)
		}
	}
}
