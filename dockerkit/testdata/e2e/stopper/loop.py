import time  # 1


def work(i):  # 1
    return i * 2 % 1000  # 1


n = 0  # 1
first = True  # 1
while True:  # 1
    n = work(n + 1)  # 1
    if first:  # 1
        print("ready", flush=True)  # 1
        first = False  # 1
    time.sleep(0.05)  # 1
