def pick(v):
    match v:
        case 1:
            return "one"
        case 2:
            return "two"
        case 3:
            pass
    return None


def scan(items):
    for i in items:
        if i:
            return i
    else:
        return 0


def loop(n):
    while n:
        if n > 10:
            return n
        n -= 1
        if n == 3:
            continue
    return -1
