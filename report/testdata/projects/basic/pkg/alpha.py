"""Alpha: functions, nested functions, exclusions."""
import os


def run(n):
    total = 0
    for i in range(n):
        if i % 2:
            total += i
        else:
            total -= 1
    return helper(total)


def helper(x):
    def inner(y):
        return y * 2

    if x > 100:
        return inner(x)
    return x


def never_called(a, b):
    c = a + b
    d = (
        c * 2
    )
    return d


def excluded():  # pragma: no cover
    return "nope"


class Thing:
    """A class with methods."""

    kind = "thing"

    def __init__(self):
        self.v = 1

    def unused(self):
        return self.v

    class Inner:
        def meth(self):
            return 3

    def debug(self):
        raise NotImplementedError


if os.environ.get("NEVER_SET_123"):
    print("odd")
