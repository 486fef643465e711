"""Example data pipeline: the kind of program covkit exists for.

The orchestrator discovers input files, hands each one to a separate
``python processor.py --batch-size 1000`` process, fans the per-record
scoring out to a multiprocessing pool, optionally runs an analysis step in
a Docker container, and validates the results. Every one of those is a
separate Python process; covrun measures all of them.
"""

import argparse
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile

import scoring
import validate

HERE = os.path.dirname(os.path.abspath(__file__))


def discover(data_dir):
    """Return the CSV inputs in data_dir, sorted for a stable order."""
    names = sorted(n for n in os.listdir(data_dir) if n.endswith(".csv"))
    if not names:
        raise SystemExit(f"no .csv files in {data_dir}")
    return [os.path.join(data_dir, n) for n in names]


def process(path, out_dir, batch_size):
    """Run processor.py on one input in its own interpreter."""
    out = os.path.join(out_dir, os.path.basename(path) + ".json")
    cmd = [sys.executable, os.path.join(HERE, "processor.py"),
           "--batch-size", str(batch_size), "--output", out, path]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"processor failed on {path}: {result.stderr.strip()}")
    with open(out) as f:
        return json.load(f)


def score_all(records, workers):
    """Score records in a multiprocessing pool (one child per worker)."""
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(workers) as pool:
        return pool.map(scoring.score, records, chunksize=max(1, len(records) // workers))


def analyze_in_docker(image, out_dir):
    """Summarise the results inside a container, if Docker is available."""
    if shutil.which("docker") is None:
        return None
    cmd = ["docker", "run", "--rm", "--network", "none",
           "-v", f"{out_dir}:/results:ro", image, "python3", "/app/analyze.py", "/results"]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        print(f"analysis container failed: {result.stderr.strip()}", file=sys.stderr)
        return None
    return json.loads(result.stdout)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.path.join(HERE, "data"))
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--docker-image", default="", help="analysis image; empty skips the container step")
    args = parser.parse_args(argv)

    inputs = discover(args.data)
    with tempfile.TemporaryDirectory() as out_dir:
        batches = [process(p, out_dir, args.batch_size) for p in inputs]
        records = [r for b in batches for r in b["records"]]
        scores = score_all(records, args.workers)
        summary = None
        if args.docker_image:
            summary = analyze_in_docker(args.docker_image, out_dir)
    problems = validate.check(batches, scores)
    for p in problems:
        print(f"invalid: {p}")
    total = sum(b["count"] for b in batches)
    print(f"pipeline: {len(inputs)} files, {total} records, mean score {sum(scores) / len(scores):.2f}")
    if summary is not None:
        print(f"container analysis: {summary['files']} result files, {summary['records']} records")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
