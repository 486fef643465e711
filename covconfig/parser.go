package covconfig

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/dlclark/regexp2"

	"github.com/covkit/covkit/internal/pyrepr"
)

// parser is what coverage.py's HandyConfigParser and TomlConfigParser have
// in common: sections found under "coverage:"/"tool.coverage." prefixes (and
// bare, for a file that is specifically coverage.py's), typed getters.
// Getter errors that coverage.py raises as ValueError are *valueError.
type parser interface {
	realSection(section string) string // "" when absent
	hasOption(section, option string) bool
	options(section string) []string
	line(section, option string) int

	get(section, option string) (string, error)
	getBool(section, option string) (bool, error)
	getInt(section, option string) (int, error)
	getFloat(section, option string) (float64, error)
	getList(section, option string) ([]string, error)
	getRegexList(section, option string) ([]string, error)
	getFile(section, option string) (string, error)
	getSection(section string) map[string]any
}

// valueError is a bad value: coverage.py reports it as "Couldn't read
// config file NAME: MSG".
type valueError struct{ msg string }

func (e *valueError) Error() string { return e.msg }

type iniParser struct {
	f        *iniFile
	prefixes []string
	env      func(string) (string, bool)
}

func newINIParser(f *iniFile, ourFile bool, env func(string) (string, bool)) *iniParser {
	p := &iniParser{f: f, prefixes: []string{"coverage:"}, env: env}
	if ourFile {
		p.prefixes = append(p.prefixes, "")
	}
	return p
}

func (p *iniParser) realSection(section string) string {
	for _, pre := range p.prefixes {
		if p.f.hasSection(pre + section) {
			return pre + section
		}
	}
	return ""
}

func (p *iniParser) hasOption(section, option string) bool {
	rs := p.realSection(section)
	return rs != "" && p.f.lookup(rs, option) != nil
}

func (p *iniParser) options(section string) []string {
	return p.f.options(p.realSection(section))
}

func (p *iniParser) find(section, option string) *iniOption {
	for _, pre := range p.prefixes {
		if o := p.f.lookup(pre+section, option); o != nil {
			return o
		}
	}
	return nil
}

func (p *iniParser) line(section, option string) int {
	if o := p.find(section, option); o != nil {
		return o.line
	}
	return 0
}

func (p *iniParser) get(section, option string) (string, error) {
	o := p.find(section, option)
	if o == nil {
		return "", fmt.Errorf("No option %s in section: %s", pyrepr.Str(option), pyrepr.Str(section))
	}
	return substitute(o.value, p.env)
}

func (p *iniParser) getBool(section, option string) (bool, error) {
	v, err := p.get(section, option)
	if err != nil {
		return false, err
	}
	b, err := iniBool(v)
	if err != nil {
		return false, &valueError{err.Error()}
	}
	return b, nil
}

func (p *iniParser) getInt(section, option string) (int, error) {
	v, err := p.get(section, option)
	if err != nil {
		return 0, err
	}
	n, err := pyInt(v)
	if err != nil {
		return 0, &valueError{err.Error()}
	}
	return n, nil
}

func (p *iniParser) getFloat(section, option string) (float64, error) {
	v, err := p.get(section, option)
	if err != nil {
		return 0, err
	}
	f, err := pyFloat(v)
	if err != nil {
		return 0, &valueError{err.Error()}
	}
	return f, nil
}

func (p *iniParser) getList(section, option string) ([]string, error) {
	v, err := p.get(section, option)
	if err != nil {
		return nil, err
	}
	values := []string{}
	for _, line := range strings.Split(v, "\n") {
		for _, s := range strings.Split(line, ",") {
			if s = pyStrip(s); s != "" {
				values = append(values, s)
			}
		}
	}
	return values, nil
}

func (p *iniParser) getRegexList(section, option string) ([]string, error) {
	v, err := p.get(section, option)
	if err != nil {
		return nil, err
	}
	return processRegexList(section, option, pySplitlines(v))
}

func (p *iniParser) getFile(section, option string) (string, error) {
	v, err := p.get(section, option)
	if err != nil {
		return "", err
	}
	return expandUser(v, p.env), nil
}

func (p *iniParser) getSection(section string) map[string]any {
	m := map[string]any{}
	for _, k := range p.options(section) {
		if v, err := p.get(section, k); err == nil {
			m[k] = v
		}
	}
	return m
}

// processRegexList is coverage.py's process_regexlist: strip each value,
// check it compiles, keep the non-blank ones.
func processRegexList(section, option string, values []string) ([]string, error) {
	out := []string{}
	for _, v := range values {
		v = pyStrip(v)
		if err := checkPyRegex(v); err != nil {
			return nil, fmt.Errorf("Invalid [%s].%s value %s: %v", section, option, pyrepr.Str(v), err)
		}
		if v != "" {
			out = append(out, v)
		}
	}
	return out, nil
}

var pyBackref = regexp.MustCompile(`\(\?P=(\w+)\)`)

// checkPyRegex approximates Python's re.compile check with regexp2, after
// rewriting Python-only group syntax to .NET's.
func checkPyRegex(v string) error {
	s := strings.ReplaceAll(v, "(?P<", "(?<")
	s = pyBackref.ReplaceAllString(s, `\k<$1>`)
	_, err := regexp2.Compile(s, regexp2.None)
	return err
}

// tomlParser is coverage.py's TomlConfigParser over a decoded document.
type tomlParser struct {
	data     map[string]any
	order    map[string][]string // table path -> keys in document order
	text     string
	prefixes []string
	env      func(string) (string, bool)
}

func (p *tomlParser) section(section string) (string, map[string]any) {
	for _, pre := range p.prefixes {
		real := pre + section
		var cur any = p.data
		ok := true
		for _, part := range strings.Split(real, ".") {
			m, isMap := cur.(map[string]any)
			if !isMap {
				ok = false
				break
			}
			if cur, ok = m[part]; !ok {
				break
			}
		}
		if !ok {
			continue
		}
		if m, isMap := cur.(map[string]any); isMap {
			return real, m
		}
	}
	return "", nil
}

func (p *tomlParser) realSection(section string) string {
	name, _ := p.section(section)
	return name
}

func (p *tomlParser) hasOption(section, option string) bool {
	_, m := p.section(section)
	_, ok := m[option]
	return ok
}

func (p *tomlParser) options(section string) []string {
	name, m := p.section(section)
	if m == nil {
		return nil
	}
	keys := p.order[name]
	if len(keys) != len(m) {
		keys = keys[:0:0]
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
	}
	return keys
}

func (p *tomlParser) line(section, option string) int {
	name, _ := p.section(section)
	return tomlLine(p.text, name, option)
}

// tomlLine finds, as well as a quick scan can, the line where key of table
// is set: a "key =" line under the table's header, a "rest.key =" dotted
// key under a parent table's header, or the header itself.
func tomlLine(text, table, key string) int {
	lines := strings.Split(text, "\n")
	header := -1
	cur := ""
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "[") {
			h := strings.Trim(t, "[] \t")
			if j := strings.Index(h, "]"); j >= 0 {
				h = h[:j]
			}
			cur = strings.ReplaceAll(h, " ", "")
			cur = strings.ReplaceAll(cur, `"`, "")
			if cur == table && header < 0 {
				header = i + 1
			}
			continue
		}
		k, _, ok := strings.Cut(t, "=")
		if !ok {
			continue
		}
		k = strings.ReplaceAll(strings.ReplaceAll(strings.TrimSpace(k), " ", ""), `"`, "")
		full := k
		if cur != "" {
			full = cur + "." + k
		}
		if full == table+"."+key {
			return i + 1
		}
	}
	if header < 0 {
		return 0
	}
	return header
}

func (p *tomlParser) raw(section, option string) (string, any, error) {
	name, m := p.section(section)
	if m == nil {
		return "", nil, fmt.Errorf("No section: %s", pyrepr.Str(section))
	}
	v, ok := m[option]
	if !ok {
		return "", nil, fmt.Errorf("No option %s in section: %s", pyrepr.Str(option), pyrepr.Str(name))
	}
	return name, v, nil
}

func (p *tomlParser) single(section, option string) (string, any, error) {
	name, v, err := p.raw(section, option)
	if err != nil {
		return "", nil, err
	}
	if s, ok := v.(string); ok {
		s, err = substitute(s, p.env)
		return name, s, err
	}
	return name, v, nil
}

func typeErr(name, option string, v any, desc string) error {
	return &valueError{fmt.Sprintf("Option [%s]%s is not %s: %s", name, option, desc, pyReprAny(v))}
}

func convErr(name, option string, v any, desc string) error {
	return &valueError{fmt.Sprintf("Option [%s]%s couldn't convert to %s: %s", name, option, desc, pyReprAny(v))}
}

func (p *tomlParser) get(section, option string) (string, error) {
	_, v, err := p.single(section, option)
	if err != nil {
		return "", err
	}
	if s, ok := v.(string); ok {
		return s, nil
	}
	// coverage.py keeps a non-string value as it is; str() of it is what
	// any use of it sees.
	return pyReprAny(v), nil
}

func (p *tomlParser) getBool(section, option string) (bool, error) {
	name, v, err := p.single(section, option)
	if err != nil {
		return false, err
	}
	switch v := v.(type) {
	case bool:
		return v, nil
	case string:
		switch v {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return false, convErr(name, option, v, "a boolean")
	}
	return false, typeErr(name, option, v, "a boolean")
}

func (p *tomlParser) getInt(section, option string) (int, error) {
	name, v, err := p.single(section, option)
	if err != nil {
		return 0, err
	}
	switch v := v.(type) {
	case int64:
		return int(v), nil
	case bool: // a Python bool is an int
		if v {
			return 1, nil
		}
		return 0, nil
	case string:
		n, err := pyInt(v)
		if err != nil {
			return 0, convErr(name, option, v, "an integer")
		}
		return n, nil
	}
	return 0, typeErr(name, option, v, "an integer")
}

func (p *tomlParser) getFloat(section, option string) (float64, error) {
	name, v, err := p.single(section, option)
	if err != nil {
		return 0, err
	}
	switch v := v.(type) {
	case int64:
		return float64(v), nil
	case float64:
		return v, nil
	case bool:
		if v {
			return 1, nil
		}
		return 0, nil
	case string:
		f, err := pyFloat(v)
		if err != nil {
			return 0, convErr(name, option, v, "a float")
		}
		return f, nil
	}
	return 0, typeErr(name, option, v, "a float")
}

func (p *tomlParser) getList(section, option string) ([]string, error) {
	name, v, err := p.raw(section, option)
	if err != nil {
		return nil, err
	}
	list, ok := v.([]any)
	if !ok {
		return nil, typeErr(name, option, v, "a list")
	}
	out := []string{}
	for _, e := range list {
		s, ok := e.(string)
		if !ok {
			return nil, typeErr(name, option, e, "a list of strings")
		}
		s, err := substitute(s, p.env)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func (p *tomlParser) getRegexList(section, option string) ([]string, error) {
	values, err := p.getList(section, option)
	if err != nil {
		return nil, err
	}
	return processRegexList(p.realSection(section), option, values)
}

func (p *tomlParser) getFile(section, option string) (string, error) {
	name, v, err := p.single(section, option)
	if err != nil {
		return "", err
	}
	s, ok := v.(string)
	if !ok {
		return "", typeErr(name, option, v, "a string")
	}
	return expandUser(s, p.env), nil
}

func (p *tomlParser) getSection(section string) map[string]any {
	_, m := p.section(section)
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// pyReprAny is Python's repr of a decoded TOML value, for messages.
func pyReprAny(v any) string {
	switch v := v.(type) {
	case string:
		return pyrepr.Str(v)
	case bool:
		if v {
			return "True"
		}
		return "False"
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		switch {
		case math.IsInf(v, 1):
			return "inf"
		case math.IsInf(v, -1):
			return "-inf"
		case math.IsNaN(v):
			return "nan"
		}
		s := strconv.FormatFloat(v, 'g', -1, 64)
		if !strings.ContainsAny(s, ".en") {
			s += ".0"
		}
		return s
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = pyReprAny(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = pyrepr.Str(k) + ": " + pyReprAny(v[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}
