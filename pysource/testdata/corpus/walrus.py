if (n := len("abc")) > 2:
    print(n)
while (line := input()):
    pass
data = [y for x in range(3) if (y := x * 2)]
def f(x=(z := 3)):
    return x
