def f(v):
    match v:
        case 1:
            return 1
        case [a, b]:
            return 2
        case {"x": x}:
            return 3
        case Point(x=0):
            return 4
        case _:
            return 5

def g(v):
    match v:
        case 1 | 2:
            pass
        case x if x > 3:
            pass

def h(v):
    match v:
        case 1:
            pass
        case (a | b):
            pass
    match v:
        case x:
            pass
    match v:
        case _ as y:
            pass
    match v:
        case 2 | _:
            pass
    return 1
