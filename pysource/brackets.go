package pysource

// Nesting is +1 for an opening bracket, -1 for a closing one and 0 for any
// other token: what a scan adds to its bracket depth.
func (t Token) Nesting() int {
	if t.Type == OP && len(t.Text) == 1 {
		switch t.Text[0] {
		case '(', '[', '{':
			return 1
		case ')', ']', '}':
			return -1
		}
	}
	return 0
}

// MatchingClose returns the index of the bracket closing toks[open], or -1.
func MatchingClose(toks []Token, open int) int {
	depth := 0
	for i := open; i < len(toks); i++ {
		if n := toks[i].Nesting(); n != 0 {
			if depth += n; depth == 0 {
				return i
			}
		}
	}
	return -1
}

// TopLevelIndex returns the index of the first operator op outside
// brackets, or -1.
func TopLevelIndex(toks []Token, op string) int {
	depth := 0
	for i := range toks {
		t := &toks[i]
		if n := t.Nesting(); n != 0 {
			depth += n
		} else if depth == 0 && t.Type == OP && t.Text == op {
			return i
		}
	}
	return -1
}

// TopLevelSplit splits toks at each operator op outside brackets: one part
// more than there are such operators.
func TopLevelSplit(toks []Token, op string) [][]Token {
	var parts [][]Token
	for {
		i := TopLevelIndex(toks, op)
		if i < 0 {
			return append(parts, toks)
		}
		parts = append(parts, toks[:i])
		toks = toks[i+1:]
	}
}
