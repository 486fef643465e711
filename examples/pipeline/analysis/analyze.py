"""Summarise processor outputs; runs inside the analysis container."""

import json
import os
import sys


def summarise(results_dir):
    files = sorted(n for n in os.listdir(results_dir) if n.endswith(".json"))
    records = 0
    for name in files:
        with open(os.path.join(results_dir, name)) as f:
            records += json.load(f)["count"]
    return {"files": len(files), "records": records}


if __name__ == "__main__":
    print(json.dumps(summarise(sys.argv[1])))
