def f(x):
    if x:  # pragma: no cover
        a = 1
        b = 2
    else:
        c = 3
    while x:  # pragma: no cover
        pass
    try:
        d = 4
    except ValueError:  # pragma: no cover
        e = 5
    finally:
        g = 6
    return x


class C:  # pragma: no cover
    def m(self):
        return 1


@decorator  # pragma: no cover
def h():
    return 2


@decorator
@other(  # pragma: no cover
    1,
)
def k():
    return 3


def multi(a,
          b):  # pragma: no cover
    return a


x = [
    1,  # pragma: no cover
    2,
]
if x:
    y = 1
else:  # pragma: no cover
    y = 2
if x:
    y = 3
elif y:  # pragma: no cover
    y = 4
else:
    y = 5
for i in x:
    raise NotImplementedError
lam = lambda: 1  # pragma: no cover
z = 9
