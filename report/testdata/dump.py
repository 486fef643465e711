"""Run in a test bed, in a fixture project after `coverage run`.

Writes coverage.py's four reports for one option variant, and model.json:
what coverage.py's analysis knows per reported file, so covkit's writers can
be tested against coverage.py without covkit's own analyzer.

Usage: python3 dump.py OUTDIR OPTIONS_JSON
"""

import io
import json
import sys

import coverage
from coverage.report_core import get_analysis_to_report
from coverage.xmlreport import XmlReporter

outdir, opts = sys.argv[1], json.loads(sys.argv[2])

cov = coverage.Coverage()
cov.load()
settings = {
    "precision": "report:precision",
    "show_missing": "report:show_missing",
    "skip_covered": "report:skip_covered",
    "skip_empty": "report:skip_empty",
    "sort": "report:sort",
    "format": "report:format",
    "omit": "report:omit",
    "include": "report:include",
    "exclude_also": "report:exclude_also",
    "partial_branches": "report:partial_branches",
    "package_depth": "xml:package_depth",
    "line_checksums": "lcov:line_checksums",
    "pretty_print": "json:pretty_print",
    "show_contexts": "json:show_contexts",
}
for k, v in opts.items():
    cov.set_option(settings[k], v)

has_arcs = cov.get_data().has_arcs()
files = []
for fr, an in get_analysis_to_report(cov, None):
    f = {
        "filename": fr.filename,
        "relname": fr.relative_filename(),
        "statements": sorted(an.statements),
        "excluded": sorted(an.excluded),
        "executed": sorted(an.executed),
        "regions": [
            {"kind": r.kind, "name": r.name, "start": r.start, "lines": sorted(r.lines)}
            for r in fr.code_regions()
        ],
        "source": fr.source(),
        "multiline": sorted(fr.multiline_map().items()),
        "contexts": list(cov.get_data().contexts_by_lineno(an.filename).items()),
    }
    if has_arcs:
        descs = []
        for a, b in sorted(an.arc_possibilities_set):
            if an.exit_counts.get(a, 0) > 1:
                descs.append([a, b, fr.arc_description(a, b)])
        f["branch"] = {
            "possible": sorted(an.arc_possibilities_set),
            "executed": sorted(an.arcs_executed_set),
            "exit_counts": sorted(an.exit_counts.items()),
            "no_branch": sorted(an.no_branch),
            "descriptions": descs,
        }
    files.append(f)

totals = {}
buf = io.StringIO()
totals["text"] = cov.report(file=buf)
with open(f"{outdir}/report.txt", "w") as out:
    out.write(buf.getvalue())
totals["xml"] = cov.xml_report(outfile=f"{outdir}/coverage.xml")
totals["lcov"] = cov.lcov_report(outfile=f"{outdir}/coverage.lcov")
totals["json"] = cov.json_report(outfile=f"{outdir}/coverage.json")

with open(f"{outdir}/model.json", "w") as out:
    json.dump(
        {"cwd": __import__("os").getcwd(),
         "source_paths": sorted(XmlReporter(cov).source_paths),
         "relative_files": cov.config.relative_files, "has_arcs": has_arcs, "options": opts, "totals": totals, "files": files},
        out,
        indent=1,
    )
