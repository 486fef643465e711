package sqlitecov

import (
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"github.com/covkit/covkit/internal/infile"
)

// ReadFile reads the coverage.py data file at path.
func ReadFile(path string) (*Data, error) {
	var r Raw
	if _, err := ReadFileRaw(path, &r, nil); err != nil {
		return nil, err
	}
	return FromRaw(&r)
}

// Read reads a coverage.py data file from rd.
func Read(rd io.Reader) (*Data, error) {
	buf, err := io.ReadAll(rd)
	if err != nil {
		return nil, err
	}
	var r Raw
	err = DecodeRaw(buf, &r)
	if errors.Is(err, ErrUnsupported) {
		// The SQL engine needs a file: spool to one.
		f, terr := os.CreateTemp("", "covkit-data-*")
		if terr != nil {
			return nil, terr
		}
		defer os.Remove(f.Name())
		_, werr := f.Write(buf)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return nil, werr
		}
		err = readRawSQL(f.Name(), &r)
	}
	if err != nil {
		return nil, err
	}
	return FromRaw(&r)
}

// ReadFileRaw reads the data file at path into r, reading its bytes into
// buf (grown as needed) and returning them; r's numbits alias the result.
// Errors say why the file is unusable without naming it; I/O errors are the
// underlying syscall error (permission denied, ...).
func ReadFileRaw(path string, r *Raw, buf []byte) ([]byte, error) {
	f, st, err := openData(path)
	if err != nil {
		return buf, err
	}
	defer f.Close()
	return readOpened(f, st, path, r, buf)
}

// openData opens the data file at path for reading and checks what it is,
// on the open file so that what was checked is what is read: a regular file
// that no SQLite writer holds locked. Opening does not wait for a FIFO's
// writer, and a FIFO or a device (a link to /dev/zero) is refused rather
// than read without end.
func openData(path string) (*os.File, fs.FileInfo, error) {
	f, st, err := infile.Open(path)
	if err != nil {
		return nil, nil, unwrapPath(err)
	}
	if lockedForWrite(f) {
		f.Close()
		return nil, nil, ErrLocked
	}
	return f, st, nil
}

// readOpened reads the data file f (at path, st from openData) into r,
// reading its bytes into buf. It reads the size st gives and no more: a
// file that grows meanwhile is being written, and its end is not read.
func readOpened(f *os.File, st fs.FileInfo, path string, r *Raw, buf []byte) ([]byte, error) {
	size := int(st.Size())
	if cap(buf) < size {
		buf = make([]byte, 0, size+size/8)
	}
	n, err := io.ReadFull(f, buf[:size])
	buf = buf[:n]
	if err != nil && err != io.ErrUnexpectedEOF {
		return buf, unwrapPath(err)
	}
	if hotJournal(path) {
		if err = readSQL(st, path, r); err != nil {
			err = ErrJournal
		}
	} else if err = DecodeRaw(buf, r); errors.Is(err, ErrUnsupported) {
		err = readSQL(st, path, r)
	}
	return buf, err
}

// readSQL hands the file to the SQL engine, which opens it by name: only
// while the name still leads to the file checked (st) when it was opened.
func readSQL(st fs.FileInfo, path string, r *Raw) error {
	if now, err := os.Stat(path); err != nil || !os.SameFile(st, now) {
		return errors.New("replaced while being read")
	}
	return readRawSQL(path, r)
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// readRawSQL reads the tables through modernc.org/sqlite, by column name.
func readRawSQL(path string, r *Raw) error {
	r.Reset()
	if r.Meta == nil {
		r.Meta = map[string]string{}
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if err := db.QueryRow("select version from coverage_schema").Scan(&r.SchemaVersion); err != nil {
		return sqlReason(err)
	}
	if r.SchemaVersion != SchemaVersion {
		return fmt.Errorf("%w: version %d, need %d", ErrSchema, r.SchemaVersion, SchemaVersion)
	}
	query := func(q string, scan func(*sql.Rows) error) error {
		rows, err := db.Query(q)
		if err != nil {
			return sqlReason(err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return sqlReason(err)
			}
		}
		return sqlReason(rows.Err())
	}
	err = query("select key, value from meta", func(rows *sql.Rows) error {
		var k, v sql.NullString
		if err := rows.Scan(&k, &v); err != nil {
			return err
		}
		r.Meta[k.String] = v.String
		return nil
	})
	if err == nil {
		err = query("select id, path from file", func(rows *sql.Rows) error {
			var f RawFile
			if err := rows.Scan(&f.ID, &f.Path); err != nil {
				return err
			}
			r.Files = append(r.Files, f)
			return nil
		})
	}
	if err == nil {
		err = query("select id, context from context", func(rows *sql.Rows) error {
			var c RawContext
			if err := rows.Scan(&c.ID, &c.Context); err != nil {
				return err
			}
			r.Contexts = append(r.Contexts, c)
			return nil
		})
	}
	if err == nil {
		err = query("select file_id, context_id, numbits from line_bits", func(rows *sql.Rows) error {
			var lb RawLineBits
			if err := rows.Scan(&lb.FileID, &lb.ContextID, &lb.Numbits); err != nil {
				return err
			}
			r.LineBits = append(r.LineBits, lb)
			return nil
		})
	}
	if err == nil {
		err = query("select file_id, context_id, fromno, tono from arc", func(rows *sql.Rows) error {
			var a RawArc
			if err := rows.Scan(&a.FileID, &a.ContextID, &a.From, &a.To); err != nil {
				return err
			}
			r.Arcs = append(r.Arcs, a)
			return nil
		})
	}
	if err == nil {
		err = query("select file_id, tracer from tracer", func(rows *sql.Rows) error {
			var t RawTracer
			var s sql.NullString
			if err := rows.Scan(&t.FileID, &s); err != nil {
				return err
			}
			t.Tracer = s.String
			r.Tracers = append(r.Tracers, t)
			return nil
		})
	}
	return err
}

// sqlReason turns an SQLite error into one of the package's reasons.
func sqlReason(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "no such table"), strings.Contains(msg, "no such column"):
		return fmt.Errorf("%w (%s)", ErrNotCoverage, trimSQLErr(msg))
	case strings.Contains(msg, "not a database"):
		return ErrNotSQLite
	case strings.Contains(msg, "locked"), strings.Contains(msg, "SQLITE_BUSY"):
		return ErrLocked
	case strings.Contains(msg, "malformed"), strings.Contains(msg, "corrupt"):
		return fmt.Errorf("%w (%s)", ErrCorrupt, trimSQLErr(msg))
	}
	return fmt.Errorf("sqlite: %s", trimSQLErr(msg))
}

func trimSQLErr(msg string) string {
	if i := strings.LastIndex(msg, ": "); i >= 0 && strings.Contains(msg, "SQL logic error") {
		return msg[:i]
	}
	return msg
}

// hotJournal reports a rollback journal beside path: an interrupted
// transaction that SQLite rolls back before reading, which the fast decoder
// cannot do. (coverage.py writes with journal_mode=off, so its files never
// have one.)
func hotJournal(path string) bool {
	st, err := os.Stat(path + "-journal")
	return err == nil && st.Size() > 0
}
