# A batch worker that does its work and exits.
import sys  # run


def total(xs):
    return sum(x * x for x in xs)  # run


def unused():
    return 0  # never


if total(range(10)) != 285:  # run
    sys.exit(1)  # never
print("batch done")  # run
