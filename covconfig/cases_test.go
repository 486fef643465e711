package covconfig

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/covkit/covkit/internal/testbed"
	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"
)

var update = flag.Bool("update", false, "rewrite golden files")

// A case is testdata/cases/NAME.txtar: the archive's files make up the
// working directory; its comment holds "rcfile: NAME" and "env: K=V" lines.
type fixture struct {
	name   string
	files  []txtar.File
	rcfile string
	env    map[string]string
}

func loadFixtures(t *testing.T) []fixture {
	t.Helper()
	paths, err := filepath.Glob("testdata/cases/*.txtar")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	var out []fixture
	for _, p := range paths {
		a, err := txtar.ParseFile(p)
		if err != nil {
			t.Fatal(err)
		}
		f := fixture{name: strings.TrimSuffix(filepath.Base(p), ".txtar"), files: a.Files, env: map[string]string{"HOME": "/root"}}
		for _, line := range strings.Split(string(a.Comment), "\n") {
			k, v, _ := strings.Cut(line, ": ")
			switch k {
			case "rcfile":
				f.rcfile = v
			case "env":
				ek, ev, _ := strings.Cut(v, "=")
				f.env[ek] = ev
			}
		}
		out = append(out, f)
	}
	return out
}

func (f fixture) writeTo(t *testing.T, dir string) {
	t.Helper()
	for _, file := range f.files {
		p := filepath.Join(dir, file.Name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		data := file.Data
		// "\r" can't survive in a txtar; "<CR>" stands for it.
		data = bytes.ReplaceAll(data, []byte("<CR>"), []byte("\r"))
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func (f fixture) load(dir string) (*Config, error) {
	return Load(LoadOptions{Dir: dir, RCFile: f.rcfile, LookupEnv: func(k string) (string, bool) {
		v, ok := f.env[k]
		return v, ok
	}})
}

// pyView renders c with coverage.py's CoverageConfig attribute names and
// value shapes, for comparing with the oracle.
func pyView(c *Config, err error, hostDir, bedDir string) map[string]any {
	if err != nil {
		return map[string]any{"error": true}
	}
	fix := func(s string) string {
		if hostDir != "" && strings.HasPrefix(s, hostDir) {
			return bedDir + s[len(hostDir):]
		}
		return s
	}
	l := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	fixAll := func(s []string) []string {
		out := []string{}
		for _, v := range s {
			out = append(out, fix(v))
		}
		return out
	}
	var paths [][]any
	for _, e := range c.Paths {
		paths = append(paths, []any{e.Name, e.Patterns})
	}
	cf := any(nil)
	if c.File != "" {
		cf = fix(c.File)
	}
	r := map[string]any{
		"branch": c.Run.Branch, "command_line": c.Run.CommandLine, "concurrency": l(c.Run.Concurrency),
		"context": c.Run.Context, "core": c.Run.Core, "cover_pylib": c.Run.CoverPylib,
		"data_file": c.Run.DataFile, "debug": l(c.Run.Debug), "debug_file": c.Run.DebugFile,
		"disable_warnings": l(c.Run.DisableWarnings), "dynamic_context": c.Run.DynamicContext,
		"parallel": c.Run.Parallel, "patch": l(c.Run.Patch), "plugins": l(c.Run.Plugins),
		"relative_files": c.Run.RelativeFiles, "run_include": l(c.Run.Include), "run_omit": l(c.Run.Omit),
		"sigterm": c.Run.Sigterm, "source": c.Run.Source, "source_pkgs": l(c.Run.SourcePkgs),
		"source_dirs": l(c.Run.SourceDirs), "timid": c.Run.Timid,
		"exclude_list": c.Report.ExcludeLines, "exclude_also": l(c.Report.ExcludeAlso),
		"fail_under": c.Report.FailUnder, "format": c.Report.Format, "ignore_errors": c.Report.IgnoreErrors,
		"include_namespace_packages": c.Report.IncludeNamespacePackages,
		"partial_always_list":        c.Report.PartialBranchesAlways, "partial_list": c.Report.PartialBranches,
		"partial_also": l(c.Report.PartialAlso), "precision": c.Report.Precision,
		"report_contexts": c.Report.Contexts, "report_include": c.Report.Include, "report_omit": c.Report.Omit,
		"show_missing": c.Report.ShowMissing, "skip_covered": c.Report.SkipCovered, "skip_empty": c.Report.SkipEmpty,
		"sort": c.Report.Sort, "extra_css": c.HTML.ExtraCSS, "html_dir": c.HTML.Directory,
		"html_skip_covered": c.HTML.SkipCovered, "html_skip_empty": c.HTML.SkipEmpty, "html_title": c.HTML.Title,
		"show_contexts": c.HTML.ShowContexts, "xml_output": c.XML.Output, "xml_package_depth": c.XML.PackageDepth,
		"json_output": c.JSON.Output, "json_pretty_print": c.JSON.PrettyPrint, "json_show_contexts": c.JSON.ShowContexts,
		"lcov_output": c.LCOV.Output, "lcov_line_checksums": c.LCOV.LineChecksums,
		"paths": paths, "plugin_options": c.PluginOptions, "config_file": cf,
		"config_files_read": fixAll(c.FilesRead), "config_files_attempted": fixAll(c.FilesAttempted),
		"warnings": sorted(l(c.Warnings)), // coverage.py's order comes from a set
	}
	// Round-trip through JSON so values compare like the oracle's.
	js, _ := json.Marshal(r)
	var out map[string]any
	json.Unmarshal(js, &out)
	return out
}

func sorted(s []string) []string {
	s = append([]string{}, s...)
	sort.Strings(s)
	return s
}

func TestGolden(t *testing.T) {
	for _, f := range loadFixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			dir := t.TempDir()
			f.writeTo(t, dir)
			c, err := f.load(dir)
			var got []byte
			if err != nil {
				got = []byte("error: " + strings.ReplaceAll(err.Error(), dir, "$DIR") + "\n")
			} else {
				js, _ := json.MarshalIndent(c, "", "  ")
				got = append(bytes.ReplaceAll(js, []byte(dir), []byte("$DIR")), '\n')
			}
			golden := filepath.Join("testdata", "golden", f.name+".json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if d := cmp.Diff(string(want), string(got)); d != "" {
				t.Errorf("(-golden +got):\n%s", d)
			}
		})
	}
}

const oracleScript = `
import json, os, sys, warnings
import coverage
cases = json.load(open(sys.argv[1]))
strs = ["command_line", "context", "core", "debug_file", "dynamic_context", "format", "sort", "extra_css"]
out = {}
base_env = dict(os.environ)
for c in cases:
    os.chdir(c["dir"])
    os.environ.clear()
    os.environ.update(base_env)
    os.environ.update(c["env"])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cov = coverage.Coverage(config_file=c["rcfile"] or True)
    except Exception as e:
        out[c["name"]] = {"error": True, "message": type(e).__name__ + ": " + str(e)}
        continue
    cfg = cov.config
    r = {}
    for k, v in vars(cfg).items():
        if k.startswith("_"):
            continue
        if k in strs and v is None:
            v = ""
        if k in strs + ["html_title"] and not isinstance(v, str):
            v = repr(v)
        r[k] = v
    r["paths"] = [[k, v] for k, v in cfg.paths.items()] or None
    r["warnings"] = sorted(cov._warnings)
    out[c["name"]] = r
print(json.dumps(out))
`

func TestConfigOracle(t *testing.T) {
	bed := "sid"
	if v := os.Getenv("COVKIT_CONFIG_BED"); v != "" {
		bed = v // to survey older coverage.py versions; expect differences
	}
	b := testbed.Get(t, bed)
	host, inBed := b.TempDir(t)
	fixtures := loadFixtures(t)
	var in []map[string]any
	for _, f := range fixtures {
		dir := filepath.Join(host, f.name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		f.writeTo(t, dir)
		in = append(in, map[string]any{"name": f.name, "dir": inBed + "/" + f.name, "rcfile": f.rcfile, "env": f.env})
	}
	js, _ := json.Marshal(in)
	if err := os.WriteFile(filepath.Join(host, "cases.json"), js, 0o644); err != nil {
		t.Fatal(err)
	}
	res := b.MustRun(t, inBed, nil, b.Python, "-c", oracleScript, inBed+"/cases.json")
	var want map[string]map[string]any
	if err := json.Unmarshal([]byte(res.Stdout), &want); err != nil {
		t.Fatalf("oracle output: %v\n%s", err, res.Stdout)
	}
	names := make([]string, 0, len(fixtures))
	for _, f := range fixtures {
		names = append(names, f.name)
	}
	sort.Strings(names)
	agree := 0
	for _, f := range fixtures {
		w := want[f.name]
		c, err := f.load(filepath.Join(host, f.name))
		got := pyView(c, err, filepath.Join(host, f.name), inBed+"/"+f.name)
		if os.Getenv("DUMP") == f.name {
			t.Logf("want %v\n got %v", w, got)
		}
		msg := w["message"]
		delete(w, "message")
		if d := cmp.Diff(w, got); d != "" {
			t.Errorf("%s: (-coverage.py +covconfig):\n%s\ncoverage.py error: %v\ncovconfig error: %v", f.name, d, msg, err)
			continue
		}
		agree++
	}
	t.Logf("%d of %d config cases agree with coverage.py 7.16", agree, len(fixtures))
}
