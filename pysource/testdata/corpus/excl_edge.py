s = '''
# pragma: no cover
'''
t = 1
x = (1 +  # pragma: no cover
     2)
def f(
    a,
    b,  # pragma: no cover
):
    return a
try:
    u = 1
except Exception:
    pass
else:  # pragma: no cover
    v = 2
finally:
    w = 3
if x:
    pass
elif t:  # pragma: no cover
    y = 1
elif u:
    y = 2
else:
    y = 3
class K:  # pragma: no cover
    a = 1
    class L:
        b = 2
z = 4
for i in range(3):  # pragma: no cover
    pass
else:
    k = 5
while x:
    break
else:  # pragma: no cover
    m = 6
with open('f') as fh:  # pragma: no cover
    n = 7
o = 8
