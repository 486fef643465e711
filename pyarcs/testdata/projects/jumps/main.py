import sys

import flows

CONST = [lambda: 1, (x for x in range(2))]


class Config:
    debug = False
    if sys.version_info >= (3, 8):
        modern = True
    else:  # pragma: no cover
        modern = False

    def get(self, key, default=None):
        try:
            return getattr(self, key)
        except AttributeError:
            return default
        finally:
            pass


def spin(n):
    while True:
        n -= 1
        if n < 0:
            return n
    print("never")


def gen(n):
    for i in range(n):
        if i == 3:
            return
        yield i


def main():
    c = Config()
    c.get("debug")
    c.get("nope", 1)
    spin(3)
    list(gen(2))
    list(gen(5))
    flows.run([0, 1, 2, "x", None])
    flows.ctx(True)
    flows.ctx(False)
    if 0:
        print("zero")
    assert c.modern
    return 0


if __name__ == "__main__":
    main()
