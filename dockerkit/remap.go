package dockerkit

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	_ "modernc.org/sqlite"

	"github.com/covkit/covkit/internal/outfile"
	"github.com/covkit/covkit/leancov"
)

// ContainerData is the coverage data one image's containers wrote.
type ContainerData struct {
	Dir   string    // <run data>/docker/<image id 12>: the image's run directory
	Image ImageInfo // from its sidecar
	Files []string  // data files (.coverage.<hostname>.*) in the run's data directory, sorted
}

// FindContainerData attributes the data files in dataDir, the host run's
// data directory (see ProxyOptions.RunDir), to the images whose containers
// wrote them, by the container hostname in their names. Files of the host's
// own processes are not listed.
func FindContainerData(dataDir string) ([]ContainerData, error) {
	hosts, err := os.ReadDir(filepath.Join(dataDir, "docker", HostsDir))
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	imageOf := map[string]string{}
	for _, h := range hosts {
		b, err := os.ReadFile(filepath.Join(dataDir, "docker", HostsDir, h.Name()))
		if err == nil {
			imageOf[h.Name()] = strings.TrimSpace(string(b))
		}
	}
	files, err := filepath.Glob(filepath.Join(dataDir, ".coverage.*"))
	if err != nil {
		return nil, err
	}
	lean, err := filepath.Glob(filepath.Join(dataDir, leancov.FilePrefix+"*"))
	if err != nil {
		return nil, err
	}
	files = append(files, lean...)
	byImage := map[string]*ContainerData{}
	for _, f := range files {
		if strings.HasSuffix(f, "-journal") || strings.HasSuffix(f, "-wal") || strings.HasSuffix(f, "-shm") {
			continue
		}
		img, ok := imageOf[dataFileHost(filepath.Base(f))]
		if !ok {
			continue
		}
		cd := byImage[img]
		if cd == nil {
			cd = &ContainerData{Dir: filepath.Join(dataDir, "docker", img)}
			b, err := os.ReadFile(filepath.Join(cd.Dir, SidecarName))
			if err != nil {
				return nil, err
			}
			if err := json.Unmarshal(b, &cd.Image); err != nil {
				return nil, fmt.Errorf("%s: %w", filepath.Join(cd.Dir, SidecarName), err)
			}
			byImage[img] = cd
		}
		cd.Files = append(cd.Files, f)
	}
	var out []ContainerData
	for _, k := range sortedKeys(byImage) {
		sort.Strings(byImage[k].Files)
		out = append(out, *byImage[k])
	}
	return out, nil
}

// dataFileHost extracts the hostname from coverage.py's parallel data file
// name: .coverage.<hostname>.pid<N>.X<random>... (coverage.py 7) or
// .coverage.<hostname>.<pid>.<random> (6.x), or from a lean engine data
// file's: .covkit.<hostname>.pid<N>.X<random>x.
func dataFileHost(name string) string {
	rest, ok := strings.CutPrefix(name, ".coverage.")
	if !ok {
		if rest, ok = strings.CutPrefix(name, leancov.FilePrefix); !ok {
			return ""
		}
	}
	if i := strings.LastIndex(rest, ".pid"); i > 0 {
		return rest[:i]
	}
	parts := strings.Split(rest, ".")
	if n := len(parts); n >= 3 && isDigits(parts[n-1]) && isDigits(parts[n-2]) {
		return strings.Join(parts[:n-2], ".")
	}
	return ""
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// RemapResult counts what Remap did.
type RemapResult struct {
	Files   []string // data files remapped
	Mapped  int      // measured paths mapped to host files
	Dropped []string // container paths with no host file (sorted, unique)
}

// Remap rewrites, in place, every container data file in dataDir (see
// FindContainerData) so that it names host files: userMap (the user's
// [paths], may be nil) first, then the labels of the image that file came
// from and suffix matching under hostRoot (HostPathMapper). Paths with no
// host file are dropped, so the merged report lists host files only. Run
// it after the command and before the merge.
func Remap(dataDir, hostRoot string, userMap func(string) (string, bool)) (*RemapResult, error) {
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
			res.Files = append(res.Files, f)
		}
	}
	res.Dropped = sortedKeys(dropped)
	return res, nil
}

// RunMapper is the path mapping for a merge that has not run Remap: every
// image the run's containers used, at once (HostPathMapper), loaded at the
// first call. Paths that exist on the host as they are stay unmapped. It
// cannot tell two images' identical container paths apart, nor drop paths
// with no host file: Remap can.
func RunMapper(dataDir, hostRoot string) func(string) (string, bool) {
	var once sync.Once
	var m func(string) (string, bool)
	return func(p string) (string, bool) {
		once.Do(func() {
			var images []ImageInfo
			sides, _ := filepath.Glob(filepath.Join(dataDir, "docker", "*", SidecarName))
			sort.Strings(sides)
			for _, s := range sides {
				var info ImageInfo
				if b, err := os.ReadFile(s); err == nil && json.Unmarshal(b, &info) == nil {
					images = append(images, info)
				}
			}
			m = HostPathMapper(images, hostRoot)
			if len(images) == 0 {
				m = func(string) (string, bool) { return "", false }
			}
		})
		if isFile(p) {
			return "", false
		}
		return m(p)
	}
}

// RemapFile rewrites the file paths of one data file (coverage.py's, or the
// lean engine's) with mapPath; paths it cannot map are removed with their
// measurements. Two paths mapping to one host path are merged.
func RemapFile(dbPath string, mapPath func(string) (string, bool)) (mapped int, dropped []string, err error) {
	if strings.HasPrefix(filepath.Base(dbPath), leancov.FilePrefix) {
		return remapLean(dbPath, mapPath)
	}
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

// remapLean rewrites a lean engine data file's paths, atomically.
func remapLean(path string, mapPath func(string) (string, bool)) (mapped int, dropped []string, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, nil, err
	}
	f, err := leancov.Decode(b)
	if err != nil {
		return 0, nil, fmt.Errorf("%s: %w", path, err)
	}
	kept := f.Files[:0]
	for _, m := range f.Files {
		np, ok := mapPath(m.Path)
		if !ok {
			dropped = append(dropped, m.Path)
			continue
		}
		mapped++
		m.Path = np
		kept = append(kept, m)
	}
	f.Files = kept
	if err := outfile.Replace(path, ".remap-", leancov.Encode(f)); err != nil {
		return 0, nil, err
	}
	return mapped, dropped, nil
}
