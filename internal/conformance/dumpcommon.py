"""What the conformance dump scripts share: the corpus, one file's parse by
coverage.py, and the dump's shape.

pysource's and pyarcs' conformance/dump.py (and pysource's bench.py) import
this module from their own directory: internal/conformance writes it beside
them in the test bed, and it is part of every dump's cache key.
"""

import json
import os
import sys
import sysconfig

import coverage
from coverage.exceptions import NotPython
from coverage.parser import PythonParser
from coverage.python import get_python_source

# A project's own exclude_lines on top of the bed's default list, so that
# block exclusion, decorator and def/class exclusion get exercised on the
# corpus; a script may add more.
EXTRA_EXCLUDE = [
    r"raise NotImplementedError",
    r"if __name__ == .__main__.:",
    r"@(abc\.)?abstractmethod",
    r"def __repr__",
    r"except ImportError:",
    r"^\s*@overload",
]


def roots():
    """The "@stdlib" corpus: this interpreter's standard library and the
    Debian packages' dist-packages."""
    return [sysconfig.get_paths()["stdlib"], "/usr/lib/python3/dist-packages"]


def root_dirs(args):
    """The directories ROOT arguments name: "@stdlib" stands for roots(),
    other "@" words are a script's options, anything else a directory."""
    rootdirs = []
    for arg in args or ["@stdlib"]:
        if arg == "@stdlib":
            rootdirs += roots()
        elif not arg.startswith("@"):
            rootdirs.append(arg)
    return rootdirs


def files(rootdirs):
    """The *.py files under rootdirs, in a stable order (the Go side's
    corpus walks follow it)."""
    out = []
    for root in rootdirs:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d not in ("__pycache__", "site-packages"))
            for f in sorted(filenames):
                if f.endswith(".py"):
                    out.append(os.path.join(dirpath, f))
    return out


def parse(path, exclude):
    """Parse one file of the corpus with coverage.py's PythonParser.

    Returns (text, parser, rec). text is None when the file cannot be read:
    it is not part of the corpus. parser is None when coverage.py refuses
    the file (rec["error"], the NotPython message) or fails on it
    (rec["crash"]); otherwise rec holds the statements and excluded lines,
    for the script to add its own facts to.
    """
    try:
        text = get_python_source(path)
    except Exception:
        return None, None, None
    try:
        parser = PythonParser(text=text, filename=path, exclude=exclude)
        parser.parse_source()
    except NotPython as err:
        return text, None, {"error": str(err)}
    except Exception as err:
        return text, None, {"crash": "%s: %s" % (type(err).__name__, err)}
    return text, parser, {"statements": sorted(parser.statements), "excluded": sorted(parser.excluded)}


def records(rootdirs, record):
    """Map the path of each file under rootdirs to record(path), leaving out
    the files it returns None for."""
    out = {}
    for path in files(rootdirs):
        rec = record(path)
        if rec is not None:
            out[path] = rec
    return out


def header(exclude):
    """The facts every dump starts with: the interpreter's and coverage.py's
    versions, and the exclusion patterns the files were parsed with."""
    return {
        "python": "%d.%d" % sys.version_info[:2],
        "python_full": sys.version.split()[0],
        "coverage": coverage.__version__,
        "exclude": exclude,
    }


def write(out, dump):
    """Write dump as JSON to out, whole or not at all."""
    with open(out + ".tmp", "w") as f:
        json.dump(dump, f, sort_keys=True)
    os.replace(out + ".tmp", out)
