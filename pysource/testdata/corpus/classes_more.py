class A(B, metaclass=M, flag=True):
    '''doc'''
    global g
    x = 1

    def f(self, a=lambda: 1, *, b=[i for i in range(2)]):
        return a


class Empty:
    ...


class Stub: pass


def star(*args, **kwargs):
    a, *b = args
    return {**kwargs}


print(*[1], **{})
lst = [*range(3)]
