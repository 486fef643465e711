def f(x):
    while True:
        try:
            return 1
        finally:
            x += 1
    after = 1


def g(x):
    for i in x:
        try:
            break
        except E:
            pass
    else:
        return 2
    after = 2


def h():
    while True:
        with x:
            break
    after = 3


def k():
    while True:
        pass
    else:
        never = 4


def m(x):
    for i in x:
        if i:
            break
    else:
        return 5
    reached = 5


def n(x):
    while x:
        return 6
    else:
        return 7
    never = 8
