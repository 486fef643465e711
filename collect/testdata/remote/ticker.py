# A service cut off from the network for a while: what it runs then is
# pushed once it is back.
import time  # run

start = time.monotonic()  # run


def before():
    return "before"  # run


def during():
    return "during"  # run


before()  # run
print("ticker started", flush=True)  # run
while time.monotonic() - start < 5:  # run
    time.sleep(0.1)  # run
during()  # run
print("ticker during", flush=True)  # run
while True:
    time.sleep(0.1)  # run
