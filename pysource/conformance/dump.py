"""Dump what coverage.py's own parser says about every file of a corpus.

Run inside a test bed by the conformance harness (conformance_test.go):

    python3 dump.py OUT.json [ROOT...]

It walks ROOT directories (default, or where a ROOT is "@stdlib": this
interpreter's standard library and /usr/lib/python3/dist-packages) for *.py
files and writes one JSON object
keyed by path with, for each file, what coverage.py's PythonParser reports
(statements, excluded, multi-line map) with EXTRA_EXCLUDE as a project's own
exclude_lines, again with the release's default lists alone, and with
coverage 7.x, code_regions(). The default lists themselves are dumped too.
Files coverage.py refuses get {"error": "<NotPython message>"}. The corpus
walk and the parse are dumpcommon's (internal/conformance), which the
harness writes beside this script.
"""

import sys

import coverage
from coverage import config as covconfig
from coverage.misc import join_regex
from coverage.parser import PythonParser

import dumpcommon

try:
    from coverage.regions import code_regions
except ImportError:  # coverage 6.x has no regions
    code_regions = None

# The shared extra patterns, and two that exercise look-behind and
# look-ahead in the exclusion regex.
EXTRA_EXCLUDE = dumpcommon.EXTRA_EXCLUDE + [
    r"(?<![\w.])assert_never\(",
    r"def (?!test_)\w+_helper\b",
]

PARTIAL = covconfig.DEFAULT_PARTIAL + [r"for .* in (?=range)"]


def with_defaults(path, text):
    try:
        d = PythonParser(text=text, filename=path, exclude=join_regex(covconfig.DEFAULT_EXCLUDE))
        d.parse_source()
    except Exception as err:
        return {"crash": "%s: %s" % (type(err).__name__, err)}
    always = covconfig.DEFAULT_PARTIAL_ALWAYS
    if coverage.version_info[0] >= 7:
        nb = d.lines_matching(join_regex(covconfig.DEFAULT_PARTIAL + always))
    else:
        nb = d.lines_matching(join_regex(covconfig.DEFAULT_PARTIAL), join_regex(always))
    return {"statements": sorted(d.statements), "excluded": sorted(d.excluded), "nobranch": sorted(nb)}


def one(path, exclude, defaults):
    text, p, rec = dumpcommon.parse(path, exclude)
    if p is None:
        return rec
    ml = getattr(p, "multiline_map", None)
    if ml is None:
        ml = getattr(p, "_multiline", {})
    rec["multiline"] = {str(k): v for k, v in sorted(ml.items()) if k != v}
    # What FileReporter.no_branch_lines() asks the parser, after parsing.
    if coverage.version_info[0] >= 7:
        nb = p.lines_matching(join_regex(PARTIAL + covconfig.DEFAULT_PARTIAL_ALWAYS))
    else:
        nb = p.lines_matching(join_regex(PARTIAL), join_regex(covconfig.DEFAULT_PARTIAL_ALWAYS))
    rec["nobranch"] = sorted(nb)
    # The same file with the release's default lists alone, as a project
    # without [report] settings sees it (covkit takes them from package
    # releases, not from here). "@no-defaults" skips this second parse.
    if defaults:
        rec["default"] = with_defaults(path, text)
    if code_regions is not None:
        try:
            regs = code_regions(text)
        except Exception as err:
            rec["regions_error"] = "%s: %s" % (type(err).__name__, err)
        else:
            rec["regions"] = [
                {"kind": r.kind, "name": r.name, "start": r.start, "lines": sorted(r.lines)}
                for r in regs
            ]
    return rec


def main():
    out, args = sys.argv[1], sys.argv[2:]
    defaults = "@no-defaults" not in args
    exclude_list = covconfig.DEFAULT_EXCLUDE + EXTRA_EXCLUDE
    exclude = join_regex(exclude_list)
    result = dumpcommon.header(exclude_list)
    result.update({
        "partial": PARTIAL,
        "default_exclude": covconfig.DEFAULT_EXCLUDE,
        "default_partial": covconfig.DEFAULT_PARTIAL,
        "default_partial_always": covconfig.DEFAULT_PARTIAL_ALWAYS,
    })
    rootdirs = dumpcommon.root_dirs(args)
    result["files"] = dumpcommon.records(rootdirs, lambda path: one(path, exclude, defaults))
    dumpcommon.write(out, result)


if __name__ == "__main__":
    main()
