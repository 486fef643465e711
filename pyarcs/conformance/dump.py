"""Dump coverage.py's possible arcs for every file of a corpus.

Run inside a test bed by pyarcs' conformance test (conformance_test.go):

    python3 dump.py OUT.json [ROOT...]

ROOT "@stdlib" means this interpreter's standard library and
/usr/lib/python3/dist-packages. For each *.py file the JSON object keyed by
path holds PythonParser's statements, excluded lines, raw_statements, arcs(),
exit_counts() and (7.x) the descriptions of branch arcs; files coverage.py refuses get {"error": ...}, and analysis
failures {"crash": ...}.
"""

import json
import os
import sys
import sysconfig

import coverage
from coverage.exceptions import NotPython
from coverage.misc import join_regex
from coverage.parser import PythonParser
from coverage.python import get_python_source
from coverage import config as covconfig

# The same extra exclusions as pysource's harness, so exit counts meet
# excluded lines.
EXTRA_EXCLUDE = [
    r"raise NotImplementedError",
    r"if __name__ == .__main__.:",
    r"@(abc\.)?abstractmethod",
    r"def __repr__",
    r"except ImportError:",
    r"^\s*@overload",
]


def roots():
    return [sysconfig.get_paths()["stdlib"], "/usr/lib/python3/dist-packages"]


def files(rootdirs):
    out = []
    for root in rootdirs:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d not in ("__pycache__", "site-packages"))
            for f in sorted(filenames):
                if f.endswith(".py"):
                    out.append(os.path.join(dirpath, f))
    return out


def one(path, exclude):
    rec = {}
    try:
        text = get_python_source(path)
    except Exception:
        return None
    try:
        p = PythonParser(text=text, filename=path, exclude=exclude)
        p.parse_source()
    except NotPython as err:
        rec["error"] = str(err)
        return rec
    except Exception as err:
        rec["crash"] = "%s: %s" % (type(err).__name__, err)
        return rec
    rec["statements"] = sorted(p.statements)
    rec["excluded"] = sorted(p.excluded)
    rec["raw"] = sorted(p.raw_statements)
    try:
        rec["arcs"] = sorted(list(a) for a in p.arcs())
        ec = p.exit_counts()
        rec["exits"] = {str(k): v for k, v in sorted(ec.items())}
        if hasattr(p, "arc_description"):
            rec["descs"] = [
                [a, b, p.arc_description(a, b), p.missing_arc_description(a, b)]
                for a, b in sorted(p.arcs()) if ec.get(a, 0) > 1
            ]
    except Exception as err:
        rec["crash"] = "arcs: %s: %s" % (type(err).__name__, err)
    return rec


def main():
    out = sys.argv[1]
    rootdirs = []
    for r in sys.argv[2:] or ["@stdlib"]:
        if r == "@stdlib":
            rootdirs.extend(roots())
        else:
            rootdirs.append(r)
    exclude_list = list(covconfig.DEFAULT_EXCLUDE) + EXTRA_EXCLUDE
    exclude = join_regex(exclude_list)
    res = {}
    for path in files(rootdirs):
        rec = one(path, exclude)
        if rec is not None:
            res[path] = rec
    v = sys.version_info
    with open(out, "w") as f:
        json.dump({
            "python": "%d.%d" % (v[0], v[1]),
            "coverage": coverage.__version__,
            "exclude": exclude_list,
            "files": res,
        }, f)


main()
