import math


class Shape:
    def __init__(self, r):
        self.r = r

    def area(self):
        return math.pi * self.r ** 2

    def perimeter(self):
        return 2 * math.pi * self.r


def _unused():
    x = [
        1,
        2,
    ]
    return x
