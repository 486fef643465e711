package main

// workload is a project with a suite.py whose run is timed.
type workload struct {
	what     string
	files    map[string]string
	children int // child processes the suite starts
}

// coveragepyRC is coverage.py's own way to measure every process.
const coveragepyRC = "[run]\nparallel = true\npatch = subprocess\n"

var workloads = map[string]workload{
	"cli": {
		what:     "a suite checking a small CLI package by starting it 60 times",
		children: 60,
		files: map[string]string{
			"coveragepy.rc": coveragepyRC,
			"suite.py": `import json
import subprocess
import sys


def cli(*args):
    cp = subprocess.run([sys.executable, "-m", "minicli", *args], capture_output=True, text=True)
    assert cp.returncode == 0, (args, cp.stderr)
    return cp.stdout


for i in range(20):
    words = " ".join("w%d" % (j % (i + 2)) for j in range(i * 3 + 1))
    assert json.loads(cli("count", words, "--json"))["words"] == i * 3 + 1
    assert cli("stats", *[str(j) for j in range(i + 2)]).startswith("n=")
    assert cli("fmt", "--width", str(10 + i), words).strip()
print("cli suite ok")
`,
			"minicli/__init__.py": `"""A small command-line tool: counts words, summarises numbers, wraps text."""

__version__ = "1.0"
`,
			"minicli/__main__.py": `import argparse
import sys

from minicli import output, stats, textops


def parse(argv):
    p = argparse.ArgumentParser(prog="minicli")
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("count")
    c.add_argument("text")
    c.add_argument("--json", action="store_true")
    s = sub.add_parser("stats")
    s.add_argument("numbers", nargs="+", type=float)
    f = sub.add_parser("fmt")
    f.add_argument("--width", type=int, default=40)
    f.add_argument("text")
    return p.parse_args(argv)


def main(argv=None):
    a = parse(sys.argv[1:] if argv is None else argv)
    if a.cmd == "count":
        result = textops.count(a.text)
        output.emit(result, as_json=a.json)
    elif a.cmd == "stats":
        output.emit(stats.summary(a.numbers), as_json=False)
    else:
        print(textops.wrap(a.text, a.width))
    return 0


if __name__ == "__main__":
    sys.exit(main())
`,
			"minicli/textops.py": `import collections


def count(text):
    words = text.split()
    freq = collections.Counter(words)
    return {"words": len(words), "distinct": len(freq), "top": freq.most_common(3)}


def wrap(text, width):
    lines, cur = [], ""
    for w in text.split():
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        elif cur:
            cur += " " + w
        else:
            cur = w
    if cur:
        lines.append(cur)
    return "\n".join(lines)


def shout(text):
    return text.upper() + "!"
`,
			"minicli/stats.py": `import math


def summary(xs):
    n = len(xs)
    mean = sum(xs) / n
    var = sum((x - mean) ** 2 for x in xs) / n
    return {"n": n, "mean": round(mean, 3), "sd": round(math.sqrt(var), 3), "max": max(xs)}


def median(xs):
    s = sorted(xs)
    m = len(s) // 2
    if len(s) % 2:
        return s[m]
    return (s[m - 1] + s[m]) / 2
`,
			"minicli/output.py": `import json


def emit(result, as_json):
    if as_json:
        print(json.dumps(result, sort_keys=True))
        return
    print(" ".join("%s=%s" % (k, v) for k, v in result.items()))


def table(rows):
    width = max(len(str(r[0])) for r in rows)
    return "\n".join("%-*s %s" % (width, a, b) for a, b in rows)
`,
		},
	},
	"cpu": {
		what: "a CPU-bound program in one process",
		files: map[string]string{
			"coveragepy.rc": coveragepyRC,
			"suite.py": `from work import kernels

total = 0
for rnd in range(60):
    total += kernels.primes(60000)
    total += kernels.strings(20000)
    total += kernels.objects(40000)
    total += kernels.recurse(19)
print("cpu suite ok", total)
`,
			"work/__init__.py": "",
			"work/kernels.py": `def primes(n):
    sieve = [True] * n
    count = 0
    for i in range(2, n):
        if sieve[i]:
            count += 1
            for j in range(i * i, n, i):
                sieve[j] = False
    return count


def strings(n):
    acc = 0
    for i in range(n):
        s = "item-%d" % i
        if s.endswith("7"):
            acc += len(s.upper())
        else:
            acc += s.count("1")
    return acc


class Point:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x, self.y = x, y

    def moved(self, dx):
        return Point(self.x + dx, self.y - dx)

    def norm1(self):
        return abs(self.x) + abs(self.y)


def objects(n):
    p = Point(0, 0)
    acc = 0
    for i in range(n):
        p = p.moved(i % 3 - 1)
        acc += p.norm1() % 7
    return acc


def recurse(n):
    if n < 2:
        return n
    return recurse(n - 1) + recurse(n - 2)
`,
		},
	},
	"fanout": {
		what:     "a suite starting 200 children, merged and reported",
		children: 200,
		files: map[string]string{
			"coveragepy.rc": coveragepyRC,
			"suite.py": `import subprocess
import sys

for i in range(200):
    subprocess.run([sys.executable, "worker.py", str(i)], check=True)
print("fanout suite done")
`,
			"worker.py": `import sys

from pkg import shapes, text

i = int(sys.argv[1])
if i % 2:
    shapes.area("square", i)
else:
    shapes.area("circle", i)
text.words("a b c " * (i % 7))
`,
			"pkg/__init__.py": "",
			"pkg/shapes.py": `import math


def area(kind, n):
    if kind == "square":
        return n * n
    if kind == "circle":
        return math.pi * n * n
    raise ValueError(kind)
`,
			"pkg/text.py": `def words(s):
    out = []
    for w in s.split():
        if w:
            out.append(w.upper())
    return out


def unused(s):
    return s[::-1]
`,
		},
	},
}
