package pysource

import (
	"slices"
	"testing"
)

func TestBrackets(t *testing.T) {
	toks, err := Tokenize("f(a, [b, c], {d: (e,)}), g\n", Version{Major: 3, Minor: 14})
	if err != nil {
		t.Fatal(err)
	}
	// f ( a , [ b , c ] , { d : ( e , ) } ) , g
	// 0 1 2 3 4 5 6 7 8 9 ...
	if got := MatchingClose(toks, 1); toks[got].Text != ")" || toks[got+1].Text != "," || toks[got+2].Text != "g" {
		t.Errorf("MatchingClose(1) = %d", got)
	}
	if got := MatchingClose(toks, 4); got != 8 {
		t.Errorf("MatchingClose(4) = %d, want 8", got)
	}
	if got := TopLevelIndex(toks, ","); toks[got+1].Text != "g" {
		t.Errorf("TopLevelIndex(,) = %d", got)
	}
	if got := TopLevelIndex(toks, ":"); got != -1 {
		t.Errorf("TopLevelIndex(:) = %d, want -1 (nested)", got)
	}
	if got := TopLevelIndex(toks[2:], ":"); got != -1 {
		t.Errorf("TopLevelIndex past the open bracket found a nested ':' at %d", got)
	}
	sum := 0
	for _, tk := range toks {
		sum += tk.Nesting()
	}
	if sum != 0 {
		t.Errorf("nesting sums to %d", sum)
	}
}

func TestTopLevelSplit(t *testing.T) {
	toks, err := Tokenize("a | (b | c) | [d]\n", Version{Major: 3, Minor: 14})
	if err != nil {
		t.Fatal(err)
	}
	toks = toks[:len(toks)-2] // NEWLINE, ENDMARKER
	var got []string
	for _, part := range TopLevelSplit(toks, "|") {
		s := ""
		for _, tk := range part {
			s += tk.Text
		}
		got = append(got, s)
	}
	if want := []string{"a", "(b|c)", "[d]"}; !slices.Equal(got, want) {
		t.Errorf("TopLevelSplit(|) = %q, want %q", got, want)
	}
	if parts := TopLevelSplit(toks[:1], "|"); len(parts) != 1 || len(parts[0]) != 1 {
		t.Errorf("TopLevelSplit without the operator = %v, want the tokens whole", parts)
	}
}
