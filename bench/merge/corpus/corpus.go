// Package corpus writes a synthetic but realistic Python project whose runs
// under coverage.py make data files for merge tests and benchmarks: many
// modules with branches, loops, exceptions, classes and closures, and a
// driver whose seed decides which code each process runs.
package corpus

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// Project describes the generated project.
type Project struct {
	Modules int // number of modules in package pkg
	Funcs   int // functions per module
	Seed    uint64
}

// Write writes the project under dir: pkg/__init__.py, pkg/mod_NNN.py and
// run.py. Run it as `python3 run.py SEED [FRACTION]`: FRACTION (default 0.6)
// of the modules are exercised, with arguments drawn from SEED. Code runs
// inside test_* functions so dynamic_context = test_function gives contexts.
func (p Project) Write(dir string) error {
	if p.Funcs == 0 {
		p.Funcs = 6
	}
	pkg := filepath.Join(dir, "pkg")
	if err := os.MkdirAll(pkg, 0o777); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(pkg, "__init__.py"), []byte("\"\"\"Generated package.\"\"\"\n"), 0o666); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(p.Seed, 42))
	for i := range p.Modules {
		if err := os.WriteFile(filepath.Join(pkg, fmt.Sprintf("mod_%03d.py", i)), []byte(module(i, p.Funcs, rng)), 0o666); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, "run.py"), []byte(driver(p.Modules, p.Funcs)), 0o666)
}

func module(i, nf int, rng *rand.Rand) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\"\"\"Generated module %d.\"\"\"\n\nLIMIT = %d\n\n", i, 10+rng.IntN(50))
	for j := range nf {
		a, c, d := 2+rng.IntN(5), 20+rng.IntN(40), rng.IntN(30)
		switch (i + j) % 3 {
		case 0:
			fmt.Fprintf(&b, `
def f%d(x):
    total = 0
    if x %% %d == 0:
        total += x
    elif x > LIMIT:
        total -= 1
    else:
        for k in range(x %% 7):
            if k & 1:
                total += k
            else:
                continue
    while total > %d:
        total //= 2
    try:
        if x == %d:
            raise ValueError(x)
    except ValueError:
        total = -1
    finally:
        total += 0
    return total
`, j, a, c, d)
		case 1:
			fmt.Fprintf(&b, `
def f%d(x):
    items = [v for v in range(x %% 9) if v %% %d]
    def inner(y):
        return y * 2 if y > %d else y
    out = {}
    for v in items:
        key = "even" if v %% 2 == 0 else "odd"
        out.setdefault(key, []).append(inner(v))
    if not out:
        return None
    with open(__file__) as fh:
        first = fh.readline()
    assert first
    return sum(len(v) for v in out.values())
`, j, a, d)
		default:
			fmt.Fprintf(&b, `
class K%d:
    """A class with a few branches."""

    def __init__(self, v):
        self.v = v

    def step(self, y):
        if y < 0:
            raise KeyError(y)
        match y %% %d:
            case 0:
                return self.v
            case 1:
                self.v += y
            case _:
                self.v -= 1
        return self.v if self.v > %d else -self.v


def f%d(x):
    k = K%d(x)
    try:
        return [k.step(y) for y in range(x %% 6 - 1)]
    except KeyError:
        return []
`, j, a, c, j, j)
		}
	}
	return b.String()
}

func driver(nm, nf int) string {
	return fmt.Sprintf(`"""Drives the generated package: python3 run.py SEED [FRACTION]."""
import importlib
import random
import sys

NMOD, NFUNC = %d, %d
seed = int(sys.argv[1])
fraction = float(sys.argv[2]) if len(sys.argv) > 2 else 0.6
rnd = random.Random(seed)
chosen = sorted(rnd.sample(range(NMOD), max(1, int(NMOD * fraction))))


def exercise(mods):
    for i in mods:
        mod = importlib.import_module("pkg.mod_%%03d" %% i)
        for j in range(NFUNC):
            if rnd.random() < 0.8:
                for _ in range(rnd.randrange(1, 4)):
                    getattr(mod, "f%%d" %% j)(rnd.randrange(60))


def test_first_half():
    exercise(chosen[: len(chosen) // 2])


def test_second_half():
    exercise(chosen[len(chosen) // 2 :])


if seed %% 3 == 0:
    test_second_half()
    test_first_half()
else:
    test_first_half()
    test_second_half()
`, nm, nf)
}
