package dockerkit

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	_ "modernc.org/sqlite"
)

// ContainerData is the coverage data one image's containers wrote.
type ContainerData struct {
	Dir   string    // <run data>/docker/<image id 12>; data files are in its data/
	Image ImageInfo // from the sidecar
	Files []string  // data files (.coverage.*), sorted
}

// FindContainerData lists the per-image directories under dataDir, the
// host run's data directory (see ProxyOptions.RunDir).
func FindContainerData(dataDir string) ([]ContainerData, error) {
	dirs, err := filepath.Glob(filepath.Join(dataDir, "docker", "*", SidecarName))
	if err != nil {
		return nil, err
	}
	sort.Strings(dirs)
	var out []ContainerData
	for _, side := range dirs {
		b, err := os.ReadFile(side)
		if err != nil {
			return nil, err
		}
		var cd ContainerData
		if err := json.Unmarshal(b, &cd.Image); err != nil {
			return nil, fmt.Errorf("%s: %w", side, err)
		}
		cd.Dir = filepath.Dir(side)
		files, _ := filepath.Glob(filepath.Join(cd.Dir, "data", ".coverage*"))
		for _, f := range files {
			if !strings.HasSuffix(f, "-journal") && !strings.HasSuffix(f, "-wal") && !strings.HasSuffix(f, "-shm") {
				cd.Files = append(cd.Files, f)
			}
		}
		sort.Strings(cd.Files)
		out = append(out, cd)
	}
	return out, nil
}

// RemapResult counts what Remap did.
type RemapResult struct {
	Files   []string // data files remapped (at their new place when MoveTo was set)
	Mapped  int      // measured paths mapped to host files
	Dropped []string // container paths with no host file (sorted, unique)
}

// Remap rewrites, in place, every container data file under dataDir so that
// it names host files: userMap (the user's [paths], may be nil) first, then
// the image's labels and suffix matching (HostPathMapper). Paths with no
// host file are dropped, so the merged report lists host files only. With
// moveTo set, remapped files are moved there (keeping their names) for an
// ordinary combine to find.
func Remap(dataDir, hostRoot string, userMap func(string) (string, bool), moveTo string) (*RemapResult, error) {
	cds, err := FindContainerData(dataDir)
	if err != nil {
		return nil, err
	}
	res := &RemapResult{}
	dropped := map[string]bool{}
	for _, cd := range cds {
		hm := HostPathMapper([]ImageInfo{cd.Image}, hostRoot)
		m := func(p string) (string, bool) {
			if userMap != nil {
				if r, ok := userMap(p); ok {
					return r, true
				}
			}
			return hm(p)
		}
		for _, f := range cd.Files {
			n, drop, err := RemapFile(f, m)
			if err != nil {
				return nil, err
			}
			res.Mapped += n
			for _, d := range drop {
				dropped[d] = true
			}
			if moveTo != "" {
				t := filepath.Join(moveTo, filepath.Base(f))
				if err := os.Rename(f, t); err != nil {
					return nil, err
				}
				f = t
			}
			res.Files = append(res.Files, f)
		}
	}
	res.Dropped = sortedKeys(dropped)
	return res, nil
}

// RemapFile rewrites the file paths of one coverage.py data file with
// mapPath; paths it cannot map are removed with their measurements. Two
// paths mapping to one host path are merged.
func RemapFile(dbPath string, mapPath func(string) (string, bool)) (mapped int, dropped []string, err error) {
	db, err := sql.Open("sqlite", "file:"+dbPath+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return 0, nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	tx, err := db.Begin()
	if err != nil {
		return 0, nil, fmt.Errorf("%s: %w", dbPath, err)
	}
	defer tx.Rollback()
	rows, err := tx.Query("SELECT id, path FROM file ORDER BY id")
	if err != nil {
		return 0, nil, fmt.Errorf("%s: %w", dbPath, err)
	}
	type frow struct {
		id   int64
		path string
	}
	var files []frow
	byPath := map[string]int64{}
	for rows.Next() {
		var r frow
		if err := rows.Scan(&r.id, &r.path); err != nil {
			rows.Close()
			return 0, nil, err
		}
		files = append(files, r)
		byPath[r.path] = r.id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, nil, err
	}
	hasArc := tableExists(tx, "arc")
	for _, f := range files {
		np, ok := mapPath(f.path)
		if !ok {
			dropped = append(dropped, f.path)
			if err := deleteFile(tx, f.id, hasArc); err != nil {
				return 0, nil, err
			}
			delete(byPath, f.path)
			continue
		}
		mapped++
		if np == f.path {
			continue
		}
		if other, ok := byPath[np]; ok && other != f.id {
			if err := mergeInto(tx, f.id, other, hasArc); err != nil {
				return 0, nil, err
			}
			delete(byPath, f.path)
			continue
		}
		if _, err := tx.Exec("UPDATE file SET path = ? WHERE id = ?", np, f.id); err != nil {
			return 0, nil, err
		}
		delete(byPath, f.path)
		byPath[np] = f.id
	}
	return mapped, dropped, tx.Commit()
}

func tableExists(tx *sql.Tx, name string) bool {
	var n int
	tx.QueryRow("SELECT count(*) FROM sqlite_master WHERE type='table' AND name=?", name).Scan(&n)
	return n > 0
}

func deleteFile(tx *sql.Tx, id int64, hasArc bool) error {
	stmts := []string{"DELETE FROM line_bits WHERE file_id = ?", "DELETE FROM tracer WHERE file_id = ?", "DELETE FROM file WHERE id = ?"}
	if hasArc {
		stmts = append([]string{"DELETE FROM arc WHERE file_id = ?"}, stmts...)
	}
	for _, s := range stmts {
		if _, err := tx.Exec(s, id); err != nil {
			return err
		}
	}
	return nil
}

// mergeInto moves file from's measurements onto file to (same host file).
func mergeInto(tx *sql.Tx, from, to int64, hasArc bool) error {
	rows, err := tx.Query("SELECT context_id, numbits FROM line_bits WHERE file_id = ?", from)
	if err != nil {
		return err
	}
	type lb struct {
		ctx  int64
		bits []byte
	}
	var lbs []lb
	for rows.Next() {
		var r lb
		if err := rows.Scan(&r.ctx, &r.bits); err != nil {
			rows.Close()
			return err
		}
		lbs = append(lbs, r)
	}
	rows.Close()
	for _, r := range lbs {
		var cur []byte
		err := tx.QueryRow("SELECT numbits FROM line_bits WHERE file_id = ? AND context_id = ?", to, r.ctx).Scan(&cur)
		switch {
		case err == sql.ErrNoRows:
			if _, err := tx.Exec("INSERT INTO line_bits (file_id, context_id, numbits) VALUES (?, ?, ?)", to, r.ctx, r.bits); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			// numbits are little-endian bitmaps: union is a byte-wise OR.
			if len(r.bits) > len(cur) {
				cur, r.bits = r.bits, cur
			}
			u := append([]byte(nil), cur...)
			for i, b := range r.bits {
				u[i] |= b
			}
			if _, err := tx.Exec("UPDATE line_bits SET numbits = ? WHERE file_id = ? AND context_id = ?", u, to, r.ctx); err != nil {
				return err
			}
		}
	}
	if hasArc {
		if _, err := tx.Exec("INSERT OR IGNORE INTO arc (file_id, context_id, fromno, tono) SELECT ?, context_id, fromno, tono FROM arc WHERE file_id = ?", to, from); err != nil {
			return err
		}
	}
	if _, err := tx.Exec("INSERT OR IGNORE INTO tracer (file_id, tracer) SELECT ?, tracer FROM tracer WHERE file_id = ?", to, from); err != nil {
		return err
	}
	return deleteFile(tx, from, hasArc)
}
