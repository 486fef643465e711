import empty
import lib

DEBUG = False

if DEBUG:
    print("debug")

for n in (1, 2, 3):
    lib.check(n)
    if n > 5:  # pragma: no branch
        break

print(lib.Thing(2), repr(lib.Thing(3)))
