package sqlitecov

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
)

// MeasuredKey is the meta table key under which covkit records what
// measured the data: a JSON list of Source objects, for example
//
//	[{"python":"3.11","coverage":"6.5.0"}]
//	[{"python":"3.14","coverage":"7.16","engine":"covkit"}]
//	[{"python":"3.11","coverage":"6.5.0","files":["/p/a.py"]},
//	 {"python":"3.13","coverage":"7.6.0","files":["/p/a.py","/p/b.py"]}]
//
// coverage.py reads only the has_arcs key of the meta table (and writes
// version, and with debug=process sys_argv and when), so files carrying
// this key stay coverage.py's own.
const MeasuredKey = "covkit_measured"

// Source is what measured (part of) some data: the CPython that ran the
// code and the coverage.py release whose rules decided what was recorded.
// Empty fields are unknown.
type Source struct {
	// Python is the interpreter's "major.minor" (the patch level does not
	// change what is measured).
	Python string `json:"python,omitempty"`
	// Coverage is the coverage.py version ("6.5.0"), or for covkit's own
	// engine the coverage.py version it emulated ("7.16").
	Coverage string `json:"coverage,omitempty"`
	// Engine is "" for coverage.py itself, EngineCovkit for covkit's engine.
	Engine string `json:"engine,omitempty"`
	// Files are the measured files this source holds data for; nil means
	// every file of the data.
	Files []string `json:"files,omitempty"`
}

// EngineCovkit is Source.Engine for data covkit's lean engine measured.
const EngineCovkit = "covkit"

// Measured returns what measured d: the MeasuredKey record when there is
// one, else a single Source whose Coverage is the meta table's version
// (coverage.py writes its own there) and whose Python is unknown.
func (d *Data) Measured() ([]Source, error) {
	if v, ok := d.Meta[MeasuredKey]; ok {
		var srcs []Source
		if err := json.Unmarshal([]byte(v), &srcs); err != nil {
			return nil, fmt.Errorf("meta %s: %w", MeasuredKey, err)
		}
		return srcs, nil
	}
	return []Source{{Coverage: d.Meta["version"]}}, nil
}

// SetMeasured records what measured d (see MeasuredKey). One source without
// Files stands for all of d.
func (d *Data) SetMeasured(srcs []Source) {
	if d.Meta == nil {
		d.Meta = map[string]string{}
	}
	b, err := json.Marshal(srcs)
	if err != nil {
		panic(err) // strings only: cannot fail
	}
	d.Meta[MeasuredKey] = string(b)
}

// MeasuredPart is one input to JoinMeasured: an input's sources and the
// files it measured, already mapped to their final paths.
type MeasuredPart struct {
	Sources []Source
	// Files are every file of the input, for sources without Files.
	Files []string
	// MapPath maps a path listed in Sources[i].Files; nil keeps it.
	MapPath func(string) string
}

// JoinMeasured combines the records of merged inputs: one source for all
// files when every input says the same, else one source per distinct
// (python, coverage, engine), each listing its files (sorted). A file
// measured by several sources is listed under each.
func JoinMeasured(parts []MeasuredPart) []Source {
	type key struct{ py, cov, eng string }
	files := map[key]map[string]bool{}
	var order []key
	for _, p := range parts {
		for _, s := range p.Sources {
			k := key{s.Python, s.Coverage, s.Engine}
			if files[k] == nil {
				files[k] = map[string]bool{}
				order = append(order, k)
			}
			list := s.Files
			if list == nil {
				list = p.Files
			} else if p.MapPath != nil {
				mapped := make([]string, len(list))
				for i, f := range list {
					mapped[i] = p.MapPath(f)
				}
				list = mapped
			}
			for _, f := range list {
				files[k][f] = true
			}
		}
	}
	if len(order) == 1 {
		k := order[0]
		return []Source{{Python: k.py, Coverage: k.cov, Engine: k.eng}}
	}
	slices.SortFunc(order, func(a, b key) int {
		return cmp.Or(cmp.Compare(a.py, b.py), cmp.Compare(a.cov, b.cov), cmp.Compare(a.eng, b.eng))
	})
	out := make([]Source, 0, len(order))
	for _, k := range order {
		out = append(out, Source{Python: k.py, Coverage: k.cov, Engine: k.eng, Files: slices.Sorted(maps.Keys(files[k]))})
	}
	return out
}
