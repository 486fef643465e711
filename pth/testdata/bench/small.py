# A small measured program: the start-up benchmark's "script".
import os


def total(n):
    s = 0
    for i in range(n):
        s += i
    return s


class Box:
    def __init__(self, v):
        self.v = v

    def double(self):
        return Box(self.v * 2)


if __name__ == "__main__":
    b = Box(total(10)).double()
    assert b.v == 90, b.v
    os.getpid()
