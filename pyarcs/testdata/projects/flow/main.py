import sys

from shapes import area, classify, parse, walk


def loops(n):
    total = 0
    for i in range(n):
        if i % 2:
            continue
        if i > 6:
            break
        total += i
    else:
        total = -total
    while n > 0:
        n -= 1
    while True:
        if total >= 0:
            break
        total += 1
    return total


def tries(x):
    try:
        if x:
            raise ValueError(x)
    except ValueError:
        x = 0
    else:
        x = 1
    finally:
        x += 1
    return x


def withs(path):
    with open(path) as f:
        for line in f:
            if line.startswith("#"):
                return line
    return None


def main(argv):
    loops(5)
    loops(20)
    tries(0)
    withs(__file__)
    print(classify(3), classify("s"), classify([1, 2]))
    print(area(2), parse("1,2"))
    walk([1, [2, 3]])
    if len(argv) > 5:  # pragma: no branch
        print("many")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
