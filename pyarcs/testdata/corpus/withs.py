def a():
    with x:
        with y:
            pass
    z = 1

def b():
    for i in r:
        with x:
            if i:
                continue
            if i > 2:
                break
            return 3
    with y: pass
    q = 2

def c():
    while 1:
        with m:
            try:
                x = 1
            except E:
                continue
            finally:
                y = 2

with open("f") as f:
    data = f.read()

def d():
    with a:
        return 1
