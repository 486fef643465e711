# A worker killed with SIGKILL after doing its work.
import time  # run


def work(n):
    return [i * 2 for i in range(n)]  # run


work(5)  # run
print("work done", flush=True)  # run
while True:
    time.sleep(0.1)  # run
