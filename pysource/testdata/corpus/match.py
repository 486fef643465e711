def f(x):
    match x:
        case 1:
            return "one"
        case [a, b]:
            return "pair"
        case {"k": v}:
            return v
        case Point(x=0) | Point(y=0):
            return "axis"
        case str() as s if s:
            return s
        case _:
            return None


def g(x):
    match x:
        case 1:
            return 1
        case other:  # pragma: no cover
            return 2


def h(x):
    match x:
        case 1:
            y = 1
        case _:  # pragma: no cover
            y = 2
    return y


def k(x):
    match x:
        case 1:
            y = 1
        case _:
            raise NotImplementedError
    return y


match = 3
match(3)
match[0]
case = 4
