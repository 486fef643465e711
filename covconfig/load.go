package covconfig

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/covkit/covkit/internal/pyrepr"
)

// LoadOptions say where and how to look for the configuration.
type LoadOptions struct {
	// Dir is the directory coverage.py would run in: config files are
	// looked for there and relative RCFile names resolved against it.
	// "" is the process's working directory.
	Dir string
	// RCFile is --rcfile. "" (or ".coveragerc") means the default search;
	// a file named here (or in COVERAGE_RCFILE) must be readable.
	RCFile string
	// NoConfig reads no config file at all (coverage.py's config_file=False).
	NoConfig bool
	// Getenv reads the environment: COVERAGE_RCFILE, COVERAGE_FILE,
	// COVERAGE_DEBUG, COVERAGE_CORE, COVERAGE_FORCE_CONFIG, HOME, and the
	// variables config values refer to. An empty value counts as unset for
	// ${VAR-default} and ${VAR?}; set LookupEnv to tell them apart.
	// Both nil means the process environment.
	Getenv    func(string) string
	LookupEnv func(string) (string, bool)
}

// Load reads the configuration the way coverage.py 7.16's
// read_coverage_config does, and post-processes it the same way.
//
// The files tried, in order, are: the --rcfile or COVERAGE_RCFILE file, or
// else .coveragerc; .coveragerc.toml; setup.cfg; tox.ini; pyproject.toml.
// The first two are coverage.py's own files: they are used whenever they can
// be read (even empty), and their sections may be named [run] as well as
// [coverage:run] (TOML: [run] and [tool.coverage.run]). The others are used
// only if they hold some coverage setting, in [coverage:*] sections (TOML:
// [tool.coverage.*]). The first file used is the only one used. A file
// named explicitly that cannot be read is an error. Every file tried must
// parse, used or not.
func Load(o LoadOptions) (*Config, error) {
	lookup := o.LookupEnv
	if lookup == nil {
		if o.Getenv != nil {
			lookup = func(k string) (string, bool) {
				v := o.Getenv(k)
				return v, v != ""
			}
		} else {
			lookup = os.LookupEnv
		}
	}
	getenv := func(k string) string { v, _ := lookup(k); return v }
	dir := o.Dir
	if dir == "" {
		d, err := os.Getwd()
		if err != nil {
			return nil, err
		}
		dir = d
	} else if !filepath.IsAbs(dir) {
		d, err := filepath.Abs(dir)
		if err != nil {
			return nil, err
		}
		dir = d
	}
	ld := &loader{dir: dir, env: lookup, cfg: Default()}
	c := ld.cfg

	if !o.NoConfig {
		name := o.RCFile
		specified := name != "" && name != ".coveragerc"
		if !specified {
			if rc := getenv("COVERAGE_RCFILE"); rc != "" {
				name, specified = rc, true
			}
		}
		if !specified {
			name = ".coveragerc"
		}
		tries := []struct {
			name      string
			our, spec bool
		}{
			{name, true, specified},
			{".coveragerc.toml", true, false},
			{"setup.cfg", false, false},
			{"tox.ini", false, false},
			{"pyproject.toml", false, false},
		}
		for _, t := range tries {
			used, err := ld.fromFile(t.name, t.our)
			if err != nil {
				return nil, err
			}
			if used {
				break
			}
			if t.spec {
				return nil, &Error{File: t.name, Msg: fmt.Sprintf("couldn't read %s as a config file", pyrepr.Str(t.name)), Err: ErrNoConfigFile}
			}
		}
	}

	if v := getenv("COVERAGE_FILE"); v != "" {
		c.Run.DataFile = v
	}
	if v := getenv("COVERAGE_DEBUG"); v != "" {
		for _, d := range strings.Split(v, ",") {
			c.Run.Debug = append(c.Run.Debug, pyStrip(d))
		}
	}
	if v := getenv("COVERAGE_CORE"); v != "" {
		c.Run.Core = v
	}
	if v := getenv("COVERAGE_FORCE_CONFIG"); v != "" {
		if _, err := ld.fromFile(v, true); err != nil {
			return nil, err
		}
	}
	if err := c.postProcess(lookup); err != nil {
		return nil, err
	}
	return c, nil
}

type loader struct {
	dir string
	env func(string) (string, bool)
	cfg *Config
}

// pyExt is os.path.splitext's extension: leading dots of the base name do
// not start one.
func pyExt(name string) string {
	base := filepath.Base(name)
	trimmed := strings.TrimLeft(base, ".")
	if i := strings.LastIndex(trimmed, "."); i >= 0 {
		return trimmed[i:]
	}
	return ""
}

// fromFile is CoverageConfig.from_file: it reports whether the file was
// used as the configuration.
func (ld *loader) fromFile(name string, ourFile bool) (bool, error) {
	c := ld.cfg
	path := name
	if !filepath.IsAbs(path) {
		path = filepath.Join(ld.dir, path)
	}
	c.FilesAttempted = append(c.FilesAttempted, filepath.Clean(path))
	src, err := os.ReadFile(path)
	if err != nil {
		// configparser and coverage.py's TOML reader skip unreadable files.
		return false, nil
	}
	var p parser
	if pyExt(name) == ".toml" {
		tp, err := parseTOML(name, src, ourFile, ld.env)
		if err != nil {
			return false, err
		}
		p = tp
	} else {
		f, err := parseINI(name, src)
		if err != nil {
			return false, err
		}
		p = newINIParser(f, ourFile, ld.env)
	}
	c.FilesRead = append(c.FilesRead, filepath.Clean(path))

	anySet := false
	for _, spec := range optionSpecs {
		if !p.hasOption(spec.section, spec.option) {
			continue
		}
		v, err := spec.get(p)
		if err != nil {
			return false, wrapErr(name, p.line(spec.section, spec.option), err)
		}
		spec.set(c, v)
		c.Set[spec.section+":"+spec.option] = true
		anySet = true
	}

	// Unrecognized options in coverage.py's own sections.
	for _, section := range []string{"run", "report", "html", "xml", "json", "lcov"} {
		real := p.realSection(section)
		if real == "" {
			continue
		}
		var unknown []string
		for _, opt := range p.options(section) {
			if !knownOptions[section+":"+opt] && !slices.Contains(unknown, opt) {
				unknown = append(unknown, opt)
			}
		}
		sort.Strings(unknown)
		for _, opt := range unknown {
			c.Warnings = append(c.Warnings, fmt.Sprintf("Unrecognized option '[%s] %s=' in config file %s", real, opt, name))
		}
	}

	if p.realSection("paths") != "" {
		for _, opt := range p.options("paths") {
			v, err := p.getList("paths", opt)
			if err != nil {
				return false, wrapErr(name, p.line("paths", opt), err)
			}
			c.setPaths(opt, v)
			anySet = true
		}
	}

	for _, plugin := range c.Run.Plugins {
		if p.realSection(plugin) != "" {
			c.PluginOptions[plugin] = p.getSection(plugin)
			anySet = true
		}
	}

	used := ourFile || anySet
	if used {
		c.File = filepath.Clean(path)
	}
	return used, nil
}

func wrapErr(name string, line int, err error) error {
	var ve *valueError
	if errors.As(err, &ve) {
		return &Error{File: name, Line: line, Msg: "couldn't read config file", Err: err}
	}
	return &Error{File: name, Line: line, Err: err}
}

func (c *Config) setPaths(name string, v []string) {
	for i := range c.Paths {
		if c.Paths[i].Name == name {
			c.Paths[i].Patterns = v
			return
		}
	}
	c.Paths = append(c.Paths, PathsEntry{Name: name, Patterns: v})
}

func parseTOML(name string, src []byte, ourFile bool, env func(string) (string, bool)) (*tomlParser, error) {
	data := map[string]any{}
	md, err := toml.Decode(string(src), &data)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &Error{File: name, Line: pe.Position.Line, Msg: "couldn't read config file", Err: errors.New(pe.Message)}
		}
		return nil, &Error{File: name, Msg: "couldn't read config file", Err: err}
	}
	if err := checkTOML10(string(src)); err != nil {
		err.(*Error).File = name
		return nil, err
	}
	p := &tomlParser{data: data, order: map[string][]string{}, text: string(src), env: env, prefixes: []string{"tool.coverage."}}
	if ourFile {
		p.prefixes = append(p.prefixes, "")
	}
	for _, k := range md.Keys() {
		if len(k) == 0 {
			continue
		}
		table := strings.Join(k[:len(k)-1], ".")
		if !slices.Contains(p.order[table], k[len(k)-1]) {
			p.order[table] = append(p.order[table], k[len(k)-1])
		}
	}
	return p, nil
}

// postProcess is CoverageConfig.post_process.
func (c *Config) postProcess(env func(string) (string, bool)) error {
	for i := range c.Paths {
		for j, v := range c.Paths[i].Patterns {
			c.Paths[i].Patterns[j] = expandUser(v, env)
		}
	}
	c.Report.ExcludeLines = append(c.Report.ExcludeLines, c.Report.ExcludeAlso...)
	c.Report.PartialBranches = append(c.Report.PartialBranches, c.Report.PartialAlso...)
	if slices.Contains(c.Run.Patch, "subprocess") {
		c.Run.Parallel = true
	}
	choices := map[string]bool{"thread": true, "gevent": true, "greenlet": true, "eventlet": true, "multiprocessing": true}
	light := map[string]bool{"greenlet": true, "eventlet": true, "gevent": true}
	var unknown, lights []string
	for _, s := range c.Run.Concurrency {
		if !choices[s] && !slices.Contains(unknown, s) {
			unknown = append(unknown, s)
		}
		if light[s] && !slices.Contains(lights, s) {
			lights = append(lights, s)
		}
	}
	sort.Strings(unknown)
	sort.Strings(lights)
	if len(unknown) > 0 {
		return &Error{File: c.File, Msg: "Unknown concurrency choices: " + strings.Join(unknown, ", ")}
	}
	if len(lights) > 1 {
		return &Error{File: c.File, Msg: "Conflicting concurrency settings: " + strings.Join(lights, ", ")}
	}
	return nil
}
