"""Process one CSV file in batches and write the normalised records as JSON."""

import argparse
import csv
import json
import sys


def batches(rows, size):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def normalise(row):
    name = row["name"].strip().lower()
    try:
        value = float(row["value"])
    except ValueError:
        return None
    if value < 0:
        value = 0.0
    return {"name": name, "value": value}


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch-size", type=int, required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("input")
    args = parser.parse_args(argv)
    if args.batch_size <= 0:
        parser.error("--batch-size must be positive")

    records, rejected, nbatches = [], 0, 0
    with open(args.input, newline="") as f:
        for batch in batches(csv.DictReader(f), args.batch_size):
            nbatches += 1
            for row in batch:
                rec = normalise(row)
                if rec is None:
                    rejected += 1
                else:
                    records.append(rec)
    with open(args.output, "w") as f:
        json.dump({"input": args.input, "count": len(records), "rejected": rejected,
                   "batches": nbatches, "records": records}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
