x = call(
    a,
    b,  # pragma: no cover
)
y = 2
def f(
    a,  # pragma: no cover
):
    return a
z = 3
