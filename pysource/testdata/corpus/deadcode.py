import sys


def a():
    return 1
    x = 2


def b(x):
    if x:
        return 1
    else:
        raise ValueError
    y = 3


def c():
    while True:
        pass
    z = 4


def d():
    while 1:
        if sys:
            break
    w = 5


def e():
    for i in range(3):
        continue
        v = 6
    else:
        u = 7


if 0:
    dead = 1
    f = lambda: 2
    g = (i for i in range(3))
    def inner():
        return 3
if False:
    dead2 = 1
else:
    alive = 2
if not __debug__:
    dead3 = 1
if __debug__:
    alive2 = 1
else:
    dead4 = 1
while 0:
    dead5 = 1
if 0 and sys:
    dead6 = 1
if sys or 1:
    alive3 = 1
else:
    dead7 = 1
if ():
    maybe = 1
if -1:
    maybe2 = 1
else:
    maybe3 = 1
if (1, 2):
    maybe4 = 1
else:
    maybe5 = 1
if '':
    dead8 = 1
if None:
    dead9 = 1
if 0.0:
    dead10 = 1
if 0x0:
    dead11 = 1
if 0j:
    dead12 = 1


def t():
    try:
        return 1
    finally:
        print()
    after = 1


def t2():
    try:
        return 1
    except ValueError:
        return 2
    else:
        never = 1
    after2 = 1


def t3():
    with open(x) as f:
        return f
    after3 = 1


def t4():
    assert False
    after4 = 1


def t5():
    assert 0, "msg"
    after5 = 1
