package covconfig

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/covkit/covkit/internal/testbed"
	"github.com/google/go-cmp/cmp"
)

// randomValues are INI value spellings; TOML gets typed variants.
var randomValues = []string{
	"true", "False", "yes", "on", "0", "1", "maybe", "", "2", " 3 ", "1_0", "4.5", "1e2", "x",
	"a, b", "a\n    b\n    c", "$HOME/x", "${V-def}", "${V}", "$$", "~/p", "src/", "*/tests/*",
	"pragma: no cover", "(bad", "thread", "gevent, eventlet", "subprocess",
}

var tomlValues = []string{
	"true", "false", `"true"`, `"False"`, "1", "2.5", `"3"`, `" 4 "`, `"x"`, `["a", "b"]`, `[]`, `["$V", "~/q"]`,
	`"a"`, `[1]`, `"pragma: no cover"`, `["(bad"]`, `["thread"]`, `{x = 1}`, `"${V-d}"`,
}

var fitting = map[string][]string{
	"":          {"x", "a b", "$V", "${V-def}", "", "$$V", "5"},
	"file":      {"out.x", "~/f", "$V/f", "${V-d}/f", "a b"},
	"boolean":   {"true", "False", "yes", "no", "ON", "off", "1", "0", "${V-true}"},
	"int":       {"2", " 3 ", "+1_0", "-1", "0"},
	"float":     {"90", "87.5", "1e1", " .5", "1_0.5"},
	"list":      {"a, b", "a\n    b\n    c", "$V, x", "thread", "", "multiprocessing, thread", "subprocess"},
	"regexlist": {"pragma: no cover", "a\n    b, c\n\n    d", "if x:", "(?P<n>a)(?P=n)"},
}

var tomlFitting = map[string][]string{
	"":          {`"x"`, `"$V"`, `"${V-def}"`, `""`, "5", "true"},
	"file":      {`"out.x"`, `"~/f"`, `"$V/f"`},
	"boolean":   {"true", "false", `"true"`, `"false"`},
	"int":       {"2", `"3"`, `" 4 "`, "0"},
	"float":     {"90", "87.5", `"1e1"`, "3"},
	"list":      {`["a", "b"]`, "[]", `["$V", "~/q"]`, `["thread"]`, `["subprocess"]`},
	"regexlist": {`["pragma: no cover"]`, `["a", "b, c"]`, "[]"},
}

func randomConfig(r *rand.Rand) (name, text string) {
	kinds := []string{".coveragerc", "setup.cfg", "tox.ini", "pyproject.toml", ".coveragerc.toml"}
	name = kinds[r.IntN(len(kinds))]
	toml := strings.HasSuffix(name, ".toml")
	prefix := ""
	switch {
	case name == "setup.cfg" || name == "tox.ini" || (name == ".coveragerc" && r.IntN(3) == 0):
		prefix = "coverage:"
	case name == "pyproject.toml" || (toml && r.IntN(2) == 0):
		prefix = "tool.coverage."
	}
	var opts []optionSpec
	for range 1 + r.IntN(6) {
		opts = append(opts, optionSpecs[r.IntN(len(optionSpecs))])
	}
	if r.IntN(4) == 0 {
		opts = append(opts, optionSpec{section: "run", option: "unknown_opt"})
	}
	bySection := map[string][]string{}
	var order []string
	for _, o := range opts {
		if o.option == "_crash" {
			continue
		}
		pool := randomValues
		if toml {
			pool = tomlValues
		}
		if r.IntN(5) > 0 {
			// Mostly values of the option's own kind, so that most files
			// are valid and the values themselves get compared.
			pool = fitting[o.kind]
			if toml {
				pool = tomlFitting[o.kind]
			}
		}
		v := fmt.Sprintf("%s = %s", o.option, pool[r.IntN(len(pool))])
		if _, ok := bySection[o.section]; !ok {
			order = append(order, o.section)
		}
		if !strings.Contains(strings.Join(bySection[o.section], "\n"), o.option+" =") {
			bySection[o.section] = append(bySection[o.section], v)
		}
	}
	if r.IntN(3) == 0 {
		order = append(order, "paths")
		if toml {
			bySection["paths"] = []string{`source = ["src/", "*/src"]`}
		} else {
			bySection["paths"] = []string{"source = src/, */src", "other =\n    ~/lib\n    /ci/lib"}
		}
	}
	var b strings.Builder
	for _, s := range order {
		fmt.Fprintf(&b, "[%s%s]\n%s\n", prefix, s, strings.Join(bySection[s], "\n"))
	}
	return name, b.String()
}

// TestRandomConfigOracle compares generated configurations of every file
// kind with what coverage.py 7.16 reads from them.
func TestRandomConfigOracle(t *testing.T) {
	b := testbed.Get(t, "sid")
	host, inBed := b.TempDir(t)
	seed := uint64(21)
	if v, err := strconv.ParseUint(os.Getenv("COVKIT_ORACLE_SEED"), 10, 64); err == nil {
		seed = v
	}
	r := rand.New(rand.NewPCG(seed, 22))
	type gen struct {
		fixture
		text, file string
	}
	var cases []gen
	var in []map[string]any
	for i := range 300 {
		file, text := randomConfig(r)
		f := fixture{name: fmt.Sprintf("c%03d", i), env: map[string]string{"HOME": "/root"}}
		if r.IntN(2) == 0 {
			f.env["V"] = "val"
		}
		dir := filepath.Join(host, f.name)
		os.MkdirAll(dir, 0o755)
		if err := os.WriteFile(filepath.Join(dir, file), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, gen{f, text, file})
		in = append(in, map[string]any{"name": f.name, "dir": inBed + "/" + f.name, "rcfile": "", "env": f.env})
	}
	js, _ := json.Marshal(in)
	os.WriteFile(filepath.Join(host, "cases.json"), js, 0o644)
	res := b.MustRun(t, inBed, nil, b.Python, "-c", oracleScript, inBed+"/cases.json")
	var want map[string]map[string]any
	if err := json.Unmarshal([]byte(res.Stdout), &want); err != nil {
		t.Fatalf("oracle output: %v\n%s", err, res.Stdout)
	}
	bad, errs := 0, 0
	for _, c := range cases {
		w := want[c.name]
		msg := w["message"]
		delete(w, "message")
		dir := filepath.Join(host, c.name)
		cfg, err := c.load(dir)
		if err != nil {
			errs++
		}
		got := pyView(cfg, err, dir, inBed+"/"+c.name)
		if m, ok := msg.(string); ok && err != nil {
			// coverage.py's own wording of a bad value should survive.
			_, detail, found := strings.Cut(m, "Couldn't read config file "+c.file+": ")
			if !found {
				_, detail, found = strings.Cut(m, "Error: ")
			}
			if found && !strings.HasPrefix(detail, "Invalid [") && !strings.Contains(err.Error(), detail) && !strings.Contains(err.Error(), lowerFirst(detail)) {
				t.Errorf("%s: error %q does not carry coverage.py's %q", c.name, err, detail)
			}
		}
		if d := cmp.Diff(w, got); d != "" {
			t.Errorf("%s %s:\n%s\n(-coverage.py +covconfig):\n%s\ncoverage.py: %v\ncovconfig: %v", c.file, c.name, c.text, d, msg, err)
			if bad++; bad > 5 {
				t.Fatal("too many")
			}
		}
	}
	t.Logf("%d configurations, %d errors in both", len(cases), errs)
}
