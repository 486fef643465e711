def f():
    if 0:
        g = lambda: 1
        def h():
            return 2
    return 3


class C:
    if False:
        def m(self):
            return 4
    x = 5
