package sqlitecov

import (
	"errors"

	"github.com/covkit/covkit/internal/infile"
)

// Reasons a data file cannot be used. Errors returned by the readers wrap
// one of these (test with errors.Is); their text is a short reason, without
// the file name, so callers can say "PATH: reason" on one line.
var (
	ErrEmpty       = errors.New("empty file (zero bytes)")
	ErrTruncated   = errors.New("truncated SQLite database")
	ErrNotSQLite   = errors.New("not an SQLite database")
	ErrJSON        = errors.New("coverage.py 4.x JSON data file (only SQLite data from coverage.py 5.0 and later is supported)")
	ErrNotCoverage = errors.New("SQLite database is not a coverage.py data file")
	ErrSchema      = errors.New("unsupported coverage.py data schema")
	ErrCorrupt     = errors.New("corrupt SQLite database")
	ErrLocked      = errors.New("locked by another process (still being written?)")
	ErrJournal     = errors.New("interrupted write: a rollback journal is beside the file")
	// ErrNotRegular is internal/infile's: a path leads to a FIFO, a device,
	// a socket, not a file.
	ErrNotRegular = infile.ErrNotRegular
)
