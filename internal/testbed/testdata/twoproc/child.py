import sys


def square(n):
    return n * n


def unused():
    return "never"


print("child", square(int(sys.argv[1])))
