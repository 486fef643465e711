package testcombine

import (
	"encoding/json"
	"os"
	"slices"
	"testing"
)

// JSONFile is a file's entry in coverage.py's JSON report, as tests read it.
type JSONFile struct {
	ExecutedLines []int `json:"executed_lines"`
	MissingLines  []int `json:"missing_lines"`
}

// ReadJSON reads the JSON report at path: its files, and their names sorted.
func ReadJSON(t testing.TB, path string) (map[string]JSONFile, []string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Files map[string]JSONFile `json:"files"`
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	names := make([]string, 0, len(rep.Files))
	for n := range rep.Files {
		names = append(names, n)
	}
	slices.Sort(names)
	return rep.Files, names
}
