package pysource

import (
	"errors"

	"github.com/covkit/covkit/internal/pyrepr"
)

// notPython turns a tokenizer or parser failure into the NotPythonError
// coverage.py would raise for the same file.
func notPython(filename string, err error, cov, ver Version, text string) error {
	if !cov.AtLeast(7, 0) && !ver.AtLeast(3, 12) {
		// coverage.py 6.x runs the pure-Python tokenize over the whole
		// file first: its failure wins over the compiler's.
		if msg, line, ok := pyTokenizeError(text); ok {
			return &NotPythonError{Filename: filename, Msg: pyrepr.Str(msg), Line: line}
		}
	}
	var te *tokenError
	var se *syntaxError
	msg, line := err.Error(), 0
	tokenizeErr := false
	switch {
	case errors.As(err, &te):
		msg, line = te.Msg, te.Line
		if !cov.AtLeast(7, 0) {
			// coverage.py 6.x runs the pure-Python tokenize first.
			switch te.Kind {
			case tokErrEOFStatement:
				msg, line, tokenizeErr = "EOF in multi-line statement", te.EOFLine, true
			case tokErrEOFString:
				msg, line, tokenizeErr = "EOF in multi-line string", te.EOFLine, true
			}
			tokenizeErr = tokenizeErr || te.Indent
		}
	case errors.As(err, &se):
		msg, line = se.Msg, se.Line
	}
	quoted := pyrepr.Str(msg)
	if !cov.AtLeast(7, 0) && !tokenizeErr {
		// coverage.py 6.x formats compile() errors with '%s'.
		quoted = "'" + msg + "'"
	}
	return &NotPythonError{Filename: filename, Msg: quoted, Line: line}
}
