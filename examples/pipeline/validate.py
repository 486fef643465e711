"""Checks on the pipeline's results."""


def check(batches, scores):
    problems = []
    for b in batches:
        if b["count"] + b["rejected"] == 0:
            problems.append(f"{b['input']}: empty input")
        if b["batches"] == 0:
            problems.append(f"{b['input']}: no batches")
    if any(s < 0 for s in scores):
        problems.append("negative score")
    return problems
