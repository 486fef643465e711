f = lambda x: x  # pragma: no cover
g = 1
if lambda: 1:
    h = 2
d = {k: v for k, v in []}
s = x[1:2]
