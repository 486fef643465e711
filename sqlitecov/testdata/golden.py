"""Writes NAME.golden.json for each NAME.coverage given: what coverage.py's
own CoverageData reads from the file. Run by `go test ./sqlitecov -update`."""
import json
import sys

import coverage

for path in sys.argv[1:]:
    d = coverage.CoverageData(path)
    d.read()
    out = {"has_arcs": d.has_arcs(), "contexts": sorted(d.measured_contexts()), "files": {}}
    for p in sorted(d.measured_files()):
        e = {"tracer": d.file_tracer(p), "lines": sorted(d.lines(p))}
        if d.has_arcs():
            e["arcs"] = sorted(d.arcs(p))
        byctx = {}
        for c in sorted(d.measured_contexts()):
            d.set_query_context(c)
            byctx[c] = sorted(d.arcs(p)) if d.has_arcs() else sorted(d.lines(p))
        d.set_query_contexts(None)
        e["byctx"] = byctx
        out["files"][p] = e
    with open(path.replace(".coverage", ".golden.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
