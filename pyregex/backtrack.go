package pyregex

import (
	"regexp/syntax"
	"sync"
	"unicode/utf8"
)

// Exclusion patterns are mostly tried at a few chosen places of a file: at
// line starts for a pattern anchored there, at each occurrence of its
// literal prefix otherwise. Go's regexp runs such an anchored attempt on a
// long input with its NFA, whose per-call set-up and per-byte cost dominate
// when the attempt dies after a few bytes, as nearly all do. anchoredMatch
// runs the same compiled program as a depth-first search in priority order
// over the whole text instead. Remembering the (instruction, position)
// pairs already explored keeps it linear, like the backtracker inside Go's
// regexp, but the memory is kept between attempts and only as long as the
// attempt reaches, so an attempt costs what it reads. The match is the one
// Go's regexp finds anchored at that position (leftmost-first), and the
// text around the position is seen as it is (^, $, \A, \z look at the
// whole text, not at a slice).

// btState is the reusable memory of anchored attempts.
type btState struct {
	// visited[(pos-start)*len(prog.Inst)+pc] == gen marks an explored pair.
	visited []uint32
	gen     uint32
	stack   []btJob
}

type btJob struct {
	pc  uint32
	pos int
}

var btPool = sync.Pool{New: func() any { return new(btState) }}

// btLimit bounds the memory of one attempt (in instruction-position
// pairs); an attempt that would need more reports btTooFar and the caller
// uses Go's regexp instead.
const btLimit = 1 << 20

type btResult int

const (
	btNoMatch btResult = iota
	btMatch
	btTooFar
)

// anchoredMatch returns the end of the match of prog that starts at start,
// if there is one.
func (st *btState) anchoredMatch(prog *syntax.Prog, text string, start int) (int, btResult) {
	if st.gen == ^uint32(0) {
		clear(st.visited)
		st.gen = 0
	}
	st.gen++
	n := len(prog.Inst)
	st.stack = append(st.stack[:0], btJob{uint32(prog.Start), start})
	for len(st.stack) > 0 {
		j := st.stack[len(st.stack)-1]
		st.stack = st.stack[:len(st.stack)-1]
		pc, pos := j.pc, j.pos
	run:
		for {
			idx := (pos-start)*n + int(pc)
			if idx >= len(st.visited) {
				if idx >= btLimit {
					return 0, btTooFar
				}
				st.grow(idx + 1)
			}
			if st.visited[idx] == st.gen {
				break
			}
			st.visited[idx] = st.gen
			inst := &prog.Inst[pc]
			switch inst.Op {
			case syntax.InstFail:
				break run
			case syntax.InstAlt, syntax.InstAltMatch:
				// Out is preferred; Arg is tried once Out's paths fail.
				st.stack = append(st.stack, btJob{inst.Arg, pos})
				pc = inst.Out
			case syntax.InstCapture, syntax.InstNop:
				pc = inst.Out
			case syntax.InstEmptyWidth:
				if syntax.EmptyOp(inst.Arg)&^emptyContext(text, pos) != 0 {
					break run
				}
				pc = inst.Out
			case syntax.InstMatch:
				return pos, btMatch
			default: // the rune instructions
				if pos >= len(text) {
					break run
				}
				r, w := rune(text[pos]), 1
				if r >= utf8.RuneSelf {
					r, w = utf8.DecodeRuneInString(text[pos:])
				}
				var ok bool
				switch inst.Op {
				case syntax.InstRune1:
					ok = r == inst.Rune[0]
				case syntax.InstRuneAny:
					ok = true
				case syntax.InstRuneAnyNotNL:
					ok = r != '\n'
				default:
					ok = inst.MatchRune(r)
				}
				if !ok {
					break run
				}
				pos += w
				pc = inst.Out
			}
		}
	}
	return 0, btNoMatch
}

func (st *btState) grow(need int) {
	size := min(max(need, 2*len(st.visited), 1024), btLimit)
	v := make([]uint32, size)
	copy(v, st.visited)
	st.visited = v
}

// emptyContext is syntax.EmptyOpContext at byte offset pos of the text.
func emptyContext(text string, pos int) syntax.EmptyOp {
	r1, r2 := rune(-1), rune(-1)
	if pos > 0 {
		r1, _ = utf8.DecodeLastRuneInString(text[:pos])
	}
	if pos < len(text) {
		r2, _ = utf8.DecodeRuneInString(text[pos:])
	}
	return syntax.EmptyOpContext(r1, r2)
}

// compileProg compiles an RE2 pattern the way regexp.Compile does.
func compileProg(pattern string) (*syntax.Prog, error) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, err
	}
	return syntax.Compile(re.Simplify())
}
