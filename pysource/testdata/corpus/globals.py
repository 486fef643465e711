x = 1


def f():
    global x
    x = 2


def g():
    y = 1

    def h():
        nonlocal y
        y = 2
    return h
