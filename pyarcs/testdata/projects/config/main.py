import empty
import lib
import multi

DEBUG = False

if DEBUG:
    print("debug")

for n in (1, 2, 3):
    lib.check(n)
    if n > 5:  # pragma: no branch
        break

print(lib.Thing(2), repr(lib.Thing(3)))
multi.pick(1)
multi.scan([0, 0])
multi.loop(2)
