import contextlib


@contextlib.contextmanager
def managed(flag):
    yield flag


def run(items):
    seen = []
    for item in items:
        match item:
            case 0:
                continue
            case int(n) if n > 1:
                seen.append(n)
            case str():
                try:
                    int(item)
                except ValueError:
                    seen.append(None)
            case None:
                break
    return seen


def ctx(flag):
    with managed(flag) as f:
        if f:
            return "yes"
    with managed(not flag) as g, managed(flag) as h:
        x = g or h
    return x


def never_called(a, b):
    while a < b:
        a += 1
        if a == 5:
            break
    else:
        return -1
    return a


async def agen():
    async with managed(1):
        pass
