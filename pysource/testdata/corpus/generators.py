def gen():
    yield 1
    yield from range(3)
    return


g = (x for x in range(3))
l = [x
     for x in range(3)]
s = {x for x in range(3)}
d = {x: x for x in range(3)}
