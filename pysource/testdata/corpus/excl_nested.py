def outer():
    def inner():  # pragma: no cover
        if x:
            return 1
        return 2
    if y:
        if z:  # pragma: no cover
            a = 1
        b = 2
    return inner


async def ao():  # pragma: no cover
    await x


@property  # pragma: no cover
@other
def p():
    pass


@a
@b  # pragma: no cover
class Q:
    pass
q = 1
