package pysource

import (
	"os"
	"path/filepath"
	"testing"
)

func addCorpusSeeds(f *testing.F) {
	for _, dir := range []string{"testdata/corpus", "testdata/notpython"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.py"))
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte("f'{x:{y}}' f\"{'a'!r}\" rb'\\{' t'{z}'\n"))
	f.Add([]byte("if x:\n\tif y:\n        pass\n"))
}

// FuzzTokenize: the tokenizer never panics or loops, for any version.
func FuzzTokenize(f *testing.F) {
	addCorpusSeeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		text := Decode(src)
		for _, v := range []Version{{Major: 3, Minor: 9}, {Major: 3, Minor: 11}, {Major: 3, Minor: 12}, {Major: 3, Minor: 14}} {
			toks, err := Tokenize(text, v)
			if err == nil && (len(toks) == 0 || toks[len(toks)-1].Type != ENDMARKER) {
				t.Fatalf("%v: no ENDMARKER", v)
			}
		}
	})
}

// FuzzAnalyze: Analyze never panics, and what it accepts is consistent.
func FuzzAnalyze(f *testing.F) {
	addCorpusSeeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		for _, o := range []Options{
			{Version: Version{Major: 3, Minor: 11}, Coverage: Version{Major: 6, Minor: 5}},
			{Version: Version{Major: 3, Minor: 13}, Coverage: Version{Major: 7, Minor: 6}},
			{Version: Version{Major: 3, Minor: 14}, Coverage: Version{Major: 7, Minor: 16}},
		} {
			a, err := Analyze("f.py", src, o)
			if err != nil {
				continue
			}
			for _, l := range a.Statements {
				if a.FirstLine(l) != l {
					t.Fatalf("statement %d is not a first line", l)
				}
			}
		}
	})
}
