"""Dump coverage.py's possible arcs for every file of a corpus.

Run inside a test bed by pyarcs' conformance test (conformance_test.go):

    python3 dump.py OUT.json [ROOT...]

ROOT "@stdlib" means this interpreter's standard library and
/usr/lib/python3/dist-packages. For each *.py file the JSON object keyed by
path holds PythonParser's statements, excluded lines, raw_statements, arcs(),
exit_counts() and (7.x) the descriptions of branch arcs; files coverage.py
refuses get {"error": ...}, and analysis failures {"crash": ...}. The corpus
walk and the parse are dumpcommon's (internal/conformance), which the
harness writes beside this script.
"""

import sys

from coverage import config as covconfig
from coverage.misc import join_regex

import dumpcommon

# The extra exclusions pysource's harness starts from, so exit counts meet
# excluded lines.
EXTRA_EXCLUDE = dumpcommon.EXTRA_EXCLUDE


def one(path, exclude):
    _, p, rec = dumpcommon.parse(path, exclude)
    if p is None:
        return rec
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
    out, args = sys.argv[1], sys.argv[2:]
    exclude_list = list(covconfig.DEFAULT_EXCLUDE) + EXTRA_EXCLUDE
    exclude = join_regex(exclude_list)
    result = dumpcommon.header(exclude_list)
    rootdirs = dumpcommon.root_dirs(args)
    result["files"] = dumpcommon.records(rootdirs, lambda path: one(path, exclude))
    dumpcommon.write(out, result)


if __name__ == "__main__":
    main()
