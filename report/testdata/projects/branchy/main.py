import sys

from pkg import alpha, mod2, mod10
from pkg.sub import deep
from pkg.mod import café


def main(argv):
    alpha.run(3)
    mod2.f(1)
    mod10.g()
    assert café.V
    deep.Shape(2).area()
    if len(argv) > 5:  # never
        print("many")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
