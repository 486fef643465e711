package analysis

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/covkit/covkit/internal/envlist"
	"github.com/covkit/covkit/releases"
)

// probeScript prints the interpreter's version and coverage.py's, if any.
const probeScript = `import sys
print("%d.%d" % sys.version_info[:2])
try:
    import coverage
    print(coverage.__version__)
except Exception:
    print("")
`

// ProbeInterpreters returns a function that finds, once, the Pythons on the
// PATH of env (python3, python, python3.9 ... python3.15, in that order, each
// real interpreter once) and what they are. An interpreter that fails or
// takes more than 10 seconds is left out.
func ProbeInterpreters(env []string) func() []Interpreter {
	return sync.OnceValue(func() []Interpreter {
		names := []string{"python3", "python"}
		for minor := releases.MinPython.Minor; minor <= releases.MaxPython.Minor+1; minor++ {
			names = append(names, fmt.Sprintf("python3.%d", minor))
		}
		seen := map[string]bool{}
		var out []Interpreter
		for _, n := range names {
			p, err := envlist.LookPath(env, n, "")
			if err != nil {
				continue
			}
			real, err := filepath.EvalSymlinks(p)
			if err != nil || seen[real] {
				continue
			}
			seen[real] = true
			if in, ok := probe(p, env); ok {
				out = append(out, in)
			}
		}
		return out
	})
}

func probe(python string, env []string) (Interpreter, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-c", probeScript)
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		return Interpreter{}, false
	}
	lines := strings.Split(out.String(), "\n")
	v, err := releases.ParsePython(lines[0])
	if err != nil {
		return Interpreter{}, false
	}
	in := Interpreter{Path: python, Python: v}
	if len(lines) > 1 {
		in.Coverage = strings.TrimSpace(lines[1])
	}
	return in, true
}
