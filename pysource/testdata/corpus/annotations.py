from dataclasses import dataclass
x: int
y: int = 1
z: "str"


class C:
    a: int
    b: int = 2
    c: "C"


@dataclass
class D:
    e: int
    f: list[int]


def g():
    h: int
    i: int = 3
    self.j: int
    return i


obj = C()
obj.k: int
d = {}
d['l']: int
