import time


def waiting():
    return 0.02


n = 0
while n >= 0:
    time.sleep(waiting())
    n += 1
    if n == 1:
        print("ready", flush=True)
print("after SIGTERM")  # not-run
