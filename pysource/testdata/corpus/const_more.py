if "x":
    a = 1
else:
    b = 1
while "":
    c = 1
if b"":
    d = 1
if 0 if x else 1:
    e = 1
assert (x, "msg")
if True and x:
    f = 1
else:
    g = 1
if x and True:
    h = 1
if not not 0:
    i = 1
if (not 0):
    j = 1
else:
    k = 1
while not False:
    break
l = 1
if 1 == 1:
    m = 1
else:
    n = 1
