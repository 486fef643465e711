package sqlitecov

import (
	"database/sql"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/covkit/covkit/internal/outfile"
)

// schemaDDL creates the version 7 tables with the columns and constraints
// coverage.py declares, so coverage.py (5.0 to 7.x) reads the file as its own.
var schemaDDL = []string{
	`CREATE TABLE coverage_schema (version integer)`,
	`CREATE TABLE meta (key text, value text, unique (key))`,
	`CREATE TABLE file (id integer primary key, path text, unique (path))`,
	`CREATE TABLE context (id integer primary key, context text, unique (context))`,
	`CREATE TABLE line_bits (file_id integer, context_id integer, numbits blob,
		foreign key (file_id) references file (id),
		foreign key (context_id) references context (id),
		unique (file_id, context_id))`,
	`CREATE TABLE arc (file_id integer, context_id integer, fromno integer, tono integer,
		foreign key (file_id) references file (id),
		foreign key (context_id) references context (id),
		unique (file_id, context_id, fromno, tono))`,
	`CREATE TABLE tracer (file_id integer primary key, tracer text,
		foreign key (file_id) references file (id))`,
}

// WriteFile writes d to path as package outfile writes: a regular file (or
// a missing one) is replaced atomically, the data going to a temporary file
// beside it that is synced and renamed over it only when complete, so a
// crash or a full disk never leaves a half-written data file; a symlink is
// followed, and a device or FIFO receives the file's bytes.
func WriteFile(path string, d *Data) error {
	f, err := outfile.Create(path)
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			f.Abort()
			os.Remove(f.Name() + "-journal")
		}
	}()
	if err := writeDB(f.Name(), d); err != nil {
		return err
	}
	ok = true
	return f.Commit()
}

// Write writes d as a data file to w.
func Write(w io.Writer, d *Data) error {
	tmp, err := os.CreateTemp("", "covkit-data-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	tmp.Close()
	defer os.Remove(name)
	if err := writeDB(name, d); err != nil {
		return err
	}
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}

// writeDB fills the (empty) file name with d. Rows go in sorted order with
// ids assigned in that order, so equal Data make byte-identical files.
func writeDB(name string, d *Data) (err error) {
	db, err := sql.Open("sqlite", "file:"+name)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := db.Close(); err == nil {
			err = cerr
		}
	}()
	db.SetMaxOpenConns(1)
	for _, p := range []string{"PRAGMA journal_mode=OFF", "PRAGMA synchronous=OFF"} {
		if _, err := db.Exec(p); err != nil {
			return fmt.Errorf("sqlite: %w", err)
		}
	}
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, s := range schemaDDL {
		if _, err := tx.Exec(s); err != nil {
			return fmt.Errorf("sqlite: %w", err)
		}
	}
	if _, err := tx.Exec("INSERT INTO coverage_schema (version) VALUES (?)", SchemaVersion); err != nil {
		return err
	}
	if err := insertMeta(tx, d); err != nil {
		return err
	}
	ctxID, err := insertContexts(tx, d)
	if err != nil {
		return err
	}
	paths := d.Paths()
	ins := newBatcher(tx, "INSERT INTO file (id, path) VALUES ", 2)
	for i, p := range paths {
		if err := ins.add(i+1, p); err != nil {
			return err
		}
	}
	if err := ins.flush(); err != nil {
		return err
	}
	if err := insertMeasurements(tx, d, paths, ctxID); err != nil {
		return err
	}
	return tx.Commit()
}

// insertMeta writes the meta table, has_arcs as the data says.
func insertMeta(tx *sql.Tx, d *Data) error {
	meta := maps.Clone(d.Meta)
	if meta == nil {
		meta = map[string]string{}
	}
	delete(meta, "has_arcs")
	if v := d.hasArcsMeta(); v != "" {
		meta["has_arcs"] = v
	}
	for _, k := range slices.Sorted(maps.Keys(meta)) {
		if _, err := tx.Exec("INSERT INTO meta (key, value) VALUES (?, ?)", k, meta[k]); err != nil {
			return err
		}
	}
	return nil
}

// insertContexts writes every context the data names, sorted, and returns
// their ids.
func insertContexts(tx *sql.Tx, d *Data) (map[string]int, error) {
	ctxSet := map[string]struct{}{}
	for _, c := range d.Contexts {
		ctxSet[c] = struct{}{}
	}
	for _, f := range d.Files {
		for c := range f.Lines {
			ctxSet[c] = struct{}{}
		}
		for c := range f.Arcs {
			ctxSet[c] = struct{}{}
		}
	}
	ctxs := slices.Sorted(maps.Keys(ctxSet))
	ctxID := make(map[string]int, len(ctxs))
	ins := newBatcher(tx, "INSERT INTO context (id, context) VALUES ", 2)
	for i, c := range ctxs {
		ctxID[c] = i + 1
		if err := ins.add(i+1, c); err != nil {
			return nil, err
		}
	}
	return ctxID, ins.flush()
}

// insertMeasurements writes the lines (numbits), arcs (sorted, without
// repeats) and tracers of the files, paths[i] having id i+1.
func insertMeasurements(tx *sql.Tx, d *Data, paths []string, ctxID map[string]int) error {
	lb := newBatcher(tx, "INSERT INTO line_bits (file_id, context_id, numbits) VALUES ", 3)
	arc := newBatcher(tx, "INSERT INTO arc (file_id, context_id, fromno, tono) VALUES ", 4)
	tr := newBatcher(tx, "INSERT INTO tracer (file_id, tracer) VALUES ", 2)
	for i, p := range paths {
		f := d.Files[p]
		for _, c := range slices.Sorted(maps.Keys(f.Lines)) {
			if err := lb.add(i+1, ctxID[c], EncodeNumbits(f.Lines[c])); err != nil {
				return err
			}
		}
		for _, c := range slices.Sorted(maps.Keys(f.Arcs)) {
			as := slices.Clone(f.Arcs[c])
			slices.SortFunc(as, cmpArc)
			as = slices.Compact(as)
			for _, a := range as {
				if err := arc.add(i+1, ctxID[c], a[0], a[1]); err != nil {
					return err
				}
			}
		}
		if f.Tracer != "" {
			if err := tr.add(i+1, f.Tracer); err != nil {
				return err
			}
		}
	}
	for _, b := range []*batcher{lb, arc, tr} {
		if err := b.flush(); err != nil {
			return err
		}
	}
	return nil
}

// batcher inserts rows many at a time: one statement per row through
// database/sql costs microseconds, and merged files can hold millions of
// arcs. Integers are inlined; text and blobs are bound parameters.
type batcher struct {
	tx     *sql.Tx
	prefix string
	ncol   int
	sb     strings.Builder
	args   []any
	rows   int
}

func newBatcher(tx *sql.Tx, prefix string, ncol int) *batcher {
	return &batcher{tx: tx, prefix: prefix, ncol: ncol}
}

func (b *batcher) add(vals ...any) error {
	if b.rows == 0 {
		b.sb.Reset()
		b.sb.WriteString(b.prefix)
	} else {
		b.sb.WriteByte(',')
	}
	b.sb.WriteByte('(')
	for i, v := range vals {
		if i > 0 {
			b.sb.WriteByte(',')
		}
		switch v := v.(type) {
		case int:
			b.sb.WriteString(strconv.Itoa(v))
		default:
			b.sb.WriteByte('?')
			b.args = append(b.args, v)
		}
	}
	b.sb.WriteByte(')')
	b.rows++
	if b.rows >= 500 || len(b.args) >= 900 {
		return b.flush()
	}
	return nil
}

func (b *batcher) flush() error {
	if b.rows == 0 {
		return nil
	}
	_, err := b.tx.Exec(b.sb.String(), b.args...)
	b.rows = 0
	b.args = b.args[:0]
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	return nil
}
