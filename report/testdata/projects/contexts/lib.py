"""Code run from different test functions."""


def one(x):
    if x > 1:
        return "big"
    return "small"


def two(items):
    total = 0
    for i in items:
        total += i
    return total


def never():
    return None
