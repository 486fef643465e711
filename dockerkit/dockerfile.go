package dockerkit

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"strings"
)

// PathMapping says that the container path Container (a file or directory)
// came from Host: a path relative to the build context, or absolute.
type PathMapping struct {
	Container string `json:"container"`
	Host      string `json:"host"`
}

// ContextStat reports whether rel (slash-separated, relative to the build
// context) exists and whether it is a directory.
type ContextStat func(rel string) (exists, isDir bool)

type stage struct {
	name    string
	base    string
	workdir string
	env     map[string]string
	maps    []PathMapping
}

// ParseDockerfile derives container-to-context path mappings from the
// WORKDIR, COPY and ADD instructions of the stage that makes the final image
// (and the stages it builds on, including COPY --from=stage). stat answers
// questions about the build context; nil treats every source as a file.
// Sources that are URLs, archives ADD would unpack, or other images are
// skipped. The result is ordered by precedence: later instructions first.
func ParseDockerfile(r io.Reader, stat ContextStat) ([]PathMapping, error) {
	if stat == nil {
		stat = func(string) (bool, bool) { return true, false }
	}
	instrs, err := splitInstructions(r)
	if err != nil {
		return nil, err
	}
	p := &dockerfileParser{stat: stat, globalArgs: map[string]string{}}
	for _, in := range instrs {
		p.instruction(strings.ToUpper(in.keyword), in.rest)
	}
	if len(p.stages) == 0 {
		return nil, fmt.Errorf("dockerfile: no FROM instruction")
	}
	m := p.stages[len(p.stages)-1].maps
	out := make([]PathMapping, 0, len(m))
	seen := map[PathMapping]bool{}
	for i := len(m) - 1; i >= 0; i-- {
		if !seen[m[i]] {
			seen[m[i]] = true
			out = append(out, m[i])
		}
	}
	return out, nil
}

// dockerfileParser follows a Dockerfile's stages, instruction by instruction.
type dockerfileParser struct {
	stat       ContextStat
	stages     []*stage
	globalArgs map[string]string // ARGs before the first FROM
}

// find is the latest stage named name, or nil.
func (p *dockerfileParser) find(name string) *stage {
	for i := len(p.stages) - 1; i >= 0; i-- {
		if p.stages[i].name != "" && strings.EqualFold(p.stages[i].name, name) {
			return p.stages[i]
		}
	}
	return nil
}

func (p *dockerfileParser) instruction(kw, rest string) {
	if kw == "FROM" {
		p.from(rest)
		return
	}
	if len(p.stages) == 0 {
		if kw == "ARG" {
			for k, v := range parseAssign(rest) {
				p.globalArgs[k] = v
			}
		}
		return
	}
	st := p.stages[len(p.stages)-1]
	switch kw {
	case "ARG", "ENV":
		for k, v := range parseAssign(rest) {
			st.env[k] = expand(v, st.env)
		}
	case "WORKDIR":
		st.workdir = resolve(st.workdir, expand(strings.TrimSpace(rest), st.env))
	case "COPY", "ADD":
		p.copy(st, kw, rest)
	}
}

// from starts a stage, inheriting from the stage it builds on.
func (p *dockerfileParser) from(rest string) {
	var args []string
	for _, a := range strings.Fields(rest) {
		if !strings.HasPrefix(a, "--") {
			args = append(args, a)
		}
	}
	st := &stage{workdir: "/", env: map[string]string{}}
	if len(args) > 0 {
		st.base = expand(args[0], p.globalArgs)
	}
	if len(args) >= 3 && strings.EqualFold(args[1], "AS") {
		st.name = args[2]
	}
	if b := p.find(st.base); b != nil {
		st.workdir = b.workdir
		for k, v := range b.env {
			st.env[k] = v
		}
		st.maps = append(st.maps, b.maps...)
	}
	p.stages = append(p.stages, st)
}

// copy records the mappings a COPY or ADD instruction makes.
func (p *dockerfileParser) copy(st *stage, kw, rest string) {
	words, flags := splitCopy(rest)
	if len(words) < 2 {
		return
	}
	for i := range words {
		words[i] = expand(words[i], st.env)
	}
	srcs, dest := words[:len(words)-1], words[len(words)-1]
	var from *stage
	if f, ok := flags["from"]; ok {
		if from = p.find(f); from == nil {
			return // another image: nothing of the context
		}
	}
	destDir := strings.HasSuffix(dest, "/") || dest == "." || dest == ".." || strings.HasSuffix(dest, "/.") || len(srcs) > 1
	cdest := resolve(st.workdir, dest)
	for _, src := range srcs {
		host, isDir, ok := p.source(st, kw, from, src, cdest)
		if !ok {
			continue
		}
		switch {
		case isDir:
			st.maps = append(st.maps, PathMapping{Container: cdest, Host: host})
		case destDir:
			st.maps = append(st.maps, PathMapping{Container: path.Join(cdest, path.Base(src)), Host: host})
		default:
			// dest is the file itself, unless it names a directory
			// already in the image: record both readings.
			st.maps = append(st.maps,
				PathMapping{Container: cdest, Host: host},
				PathMapping{Container: path.Join(cdest, path.Base(src)), Host: host})
		}
	}
}

// source is where a COPY source comes from in the build context, and
// whether it is a directory; ok false: nothing of the context (a URL, an
// archive ADD unpacks, a path another stage did not map, a missing file).
// A glob's mapping is recorded here.
func (p *dockerfileParser) source(st *stage, kw string, from *stage, src, cdest string) (host string, isDir, ok bool) {
	if from != nil {
		h, ok := mapWith(from.maps, resolve("/", src))
		// best effort: a stage path's kind is unknown
		return h, !strings.HasSuffix(path.Base(src), ".py"), ok
	}
	if strings.Contains(src, "://") || strings.HasPrefix(src, "git@") {
		return "", false, false
	}
	if kw == "ADD" && isArchive(src) {
		return "", false, false
	}
	rel := path.Clean(strings.TrimPrefix(src, "/"))
	if rel == "." || rel == "" {
		rel = "."
	}
	if strings.ContainsAny(rel, "*?[") {
		// A glob copies matching entries into dest: map dest to the
		// glob's directory; the mapper checks files exist.
		st.maps = append(st.maps, PathMapping{Container: cdest, Host: path.Dir(rel)})
		return "", false, false
	}
	ex, d := p.stat(rel)
	return rel, d, ex
}

// mapWith maps a container path through mappings (first match of the
// longest prefix wins), without checking the host.
func mapWith(maps []PathMapping, p string) (string, bool) {
	best, bestLen, found := "", -1, false
	for i := len(maps) - 1; i >= 0; i-- {
		m := maps[i]
		if rest, ok := underPath(p, m.Container); ok && len(m.Container) > bestLen {
			best, bestLen, found = path.Join(m.Host, rest), len(m.Container), true
		}
	}
	return best, found
}

// underPath reports whether p is dir or inside it, and the rest of p.
func underPath(p, dir string) (string, bool) {
	if p == dir {
		return "", true
	}
	if dir == "/" {
		return strings.TrimPrefix(p, "/"), strings.HasPrefix(p, "/")
	}
	if strings.HasPrefix(p, dir+"/") {
		return p[len(dir)+1:], true
	}
	return "", false
}

func resolve(wd, p string) string {
	if strings.HasPrefix(p, "/") {
		return path.Clean(p)
	}
	return path.Join(wd, p)
}

func isArchive(src string) bool {
	for _, s := range []string{".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst"} {
		if strings.HasSuffix(strings.ToLower(src), s) {
			return true
		}
	}
	return false
}

type instruction struct{ keyword, rest string }

// splitInstructions joins continuation lines and drops comments.
func splitInstructions(r io.Reader) ([]instruction, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4<<20)
	escape := byte('\\')
	var out []instruction
	var cur strings.Builder
	first := true
	flush := func() {
		s := strings.TrimSpace(cur.String())
		cur.Reset()
		if s == "" {
			return
		}
		kw, rest, _ := strings.Cut(s, " ")
		if i := strings.IndexAny(kw, "\t"); i >= 0 {
			kw, rest = kw[:i], kw[i+1:]+" "+rest
		}
		out = append(out, instruction{kw, strings.TrimSpace(rest)})
	}
	for sc.Scan() {
		line := sc.Text()
		t := strings.TrimSpace(line)
		if first && strings.HasPrefix(t, "#") {
			if v, ok := strings.CutPrefix(strings.ReplaceAll(strings.ToLower(t), " ", ""), "#escape="); ok && len(v) == 1 {
				escape = v[0]
			}
		}
		if t != "" {
			first = false
		}
		if strings.HasPrefix(t, "#") {
			continue
		}
		if strings.HasSuffix(t, string(escape)) {
			cur.WriteString(strings.TrimSuffix(t, string(escape)))
			cur.WriteByte(' ')
			continue
		}
		cur.WriteString(t)
		flush()
	}
	flush()
	return out, sc.Err()
}

// splitCopy splits COPY/ADD arguments into paths and --flags.
func splitCopy(rest string) ([]string, map[string]string) {
	flags := map[string]string{}
	for strings.HasPrefix(rest, "--") {
		f, r, _ := strings.Cut(rest, " ")
		k, v, _ := strings.Cut(strings.TrimPrefix(f, "--"), "=")
		flags[strings.ToLower(k)] = v
		rest = strings.TrimSpace(r)
	}
	if strings.HasPrefix(rest, "[") {
		var words []string
		if json.Unmarshal([]byte(rest), &words) == nil {
			return words, flags
		}
	}
	return strings.Fields(rest), flags
}

// parseAssign reads ENV/ARG forms: "K=V K2=V2", "K V" (legacy ENV), "K".
func parseAssign(rest string) map[string]string {
	out := map[string]string{}
	f := strings.Fields(rest)
	if len(f) >= 2 && !strings.Contains(f[0], "=") {
		out[f[0]] = unquote(strings.TrimSpace(strings.TrimPrefix(rest, f[0])))
		return out
	}
	for _, w := range f {
		k, v, _ := strings.Cut(w, "=")
		out[k] = unquote(v)
	}
	return out
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// expand substitutes $VAR and ${VAR} (and ${VAR:-default}) from env.
func expand(s string, env map[string]string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	return expandVars(s, env)
}

func expandVars(s string, env map[string]string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		if s[i+1] == '{' {
			j := strings.IndexByte(s[i:], '}')
			if j < 0 {
				b.WriteString(s[i:])
				break
			}
			name := s[i+2 : i+j]
			def := ""
			if k, d, ok := strings.Cut(name, ":-"); ok {
				name, def = k, d
			}
			if v, ok := env[name]; ok && v != "" {
				b.WriteString(v)
			} else {
				b.WriteString(def)
			}
			i += j
			continue
		}
		j := i + 1
		for j < len(s) && (s[j] == '_' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9') {
			j++
		}
		if j == i+1 {
			b.WriteByte('$')
			continue
		}
		b.WriteString(env[s[i+1:j]])
		i = j - 1
	}
	return b.String()
}

// DirStat is a ContextStat for a build context directory on disk.
func DirStat(dir string) ContextStat {
	return func(rel string) (bool, bool) {
		fi, err := osStat(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			return false, false
		}
		return true, fi.IsDir()
	}
}
