package analysis

import (
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/covkit/covkit/sqlitecov"
)

// LoadData reads and merges data files ("-" is stdin), as coverage.py would
// combine them in memory.
func LoadData(paths []string, stdin io.Reader) (*sqlitecov.Data, error) {
	merged := sqlitecov.NewData()
	for _, p := range paths {
		var d *sqlitecov.Data
		var err error
		if p == "-" {
			d, err = sqlitecov.Read(stdin)
		} else {
			d, err = sqlitecov.ReadFile(p)
		}
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("data file %s: no such file", p)
			}
			return nil, fmt.Errorf("data file %s: %w", p, err)
		}
		if len(paths) == 1 {
			return d, nil
		}
		if err := merged.Update(d, nil); err != nil {
			return nil, fmt.Errorf("data file %s: %w", p, err)
		}
	}
	return merged, nil
}
