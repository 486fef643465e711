try:
    a = 1
except (ValueError,
        TypeError) as e:
    b = 2
except Exception:
    c = 3
else:
    d = 4
finally:
    e = 5

try:
    f = 1
finally:
    g = 2


def h():
    for i in range(3):
        try:
            continue
        finally:
            print(i)
        never = 1
