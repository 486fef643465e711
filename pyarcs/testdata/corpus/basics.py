import os

def f(a, b):
    if a:
        return 1
    elif b:
        x = 2
    else:
        raise ValueError(a)
    for i in range(3):
        if i == 1:
            continue
        if i == 2:
            break
    else:
        x = 3
    while a:
        a -= 1
        if a == 5:
            break
    else:
        b = 1
    while True:
        if b:
            break
    while 1:
        return 5

class C:
    x = 1
    def m(self):
        try:
            a = 1
        except ValueError:
            a = 2
        except (TypeError, KeyError) as e:
            raise
        else:
            a = 3
        finally:
            a = 4
        return a

    @property
    @staticmethod
    def p():
        return lambda x: x

def g():
    with open("x") as f:
        for line in f:
            if line:
                return line
    with open("a") as a, open("b") as b:
        pass
    try:
        return 1
    finally:
        print(2)

async def h():
    async with x:
        await y
    async for z in w:
        pass
    return [a for a in b if a] + list(x for x in y)

if __debug__:
    a = 1
if 0:
    b = 2
if not __debug__:
    c = 3
while False:
    pass
if True and 1:
    d = 4
else:
    d = 5
x = {k: v for k, v in y}
s = {k for k in y}
