"""Doc."""
x = [
    1,
    2,
]
y = (lambda: 1)()
z = f"{[i for i in range(3)]}"
def gen():
    yield 1
    yield (a for a in
           b)

@decorator(
    arg)
@other
class K(
    Base):
    def __init__(self):  # pragma: no cover
        pass

    def ok(self):
        if self.x:  # pragma: no branch
            return 1
        return 2

def excluded():  # pragma: no cover
    if a:
        return 1

for i in y:
    pass

assert x
del x
global q
type T = int
