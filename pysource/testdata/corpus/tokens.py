x = 1 + \
    2
s = '''a
b
c'''
t = ("a"
     "b")
u = f"{x!r:>{10}} {'nested'}"
v = rf"\{{x}}"
w = f'''{
    x
}'''
if (x and
        y):
    pass
d = {1: 2,
     3: 4}
l = [i for i in range(3)
     if i]
lam = lambda a: (a,
                 a)
def f(a: int = 1, *args, b: "x" = {1: 2}, **kw) -> dict[str, int]: return {}
x = 1; y = 2; z = 3
if x: y = 4; z = 5
class E(Exception): pass
while False: pass
for i in []: pass
else: pass
with open("f") as fh, open("g") as gh: pass
try: pass
except: pass
n = 0x_1f + 0b1_0 + 0o7 + 1_000.5e-3j + .5 + 5.
e = "\N{BULLET} \t"
b = b"\x00"
