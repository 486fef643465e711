"""Shapes."""


def classify(v):
    match v:
        case int() if v > 2:
            return "big"
        case int():
            return "int"
        case [a, b]:
            return "pair"
        case _:
            return "other"


def area(r, exact=False):
    if exact:
        from math import pi
    else:
        pi = 3
    return pi * r * r


def parse(s):
    out = [int(p) for p in s.split(",") if p]
    return out if out else None


def walk(tree, depth=0):
    for node in tree:
        if isinstance(node, list):
            walk(node, depth + 1)
        elif node < 0:  # pragma: no cover
            raise ValueError(node)
        else:
            pass


def unused(a):
    if a:
        return 1
    return 2


class Box:
    def __init__(self, w):
        self.w = w if w else 1

    def grow(self):
        while self.w < 10:
            self.w *= 2
        return self.w
