"""Per-record scoring, run in multiprocessing workers."""


def score(record):
    value = record["value"]
    if value == 0:
        return 0.0
    bonus = 1.5 if record["name"].startswith("a") else 1.0
    return round(value * bonus, 2)
