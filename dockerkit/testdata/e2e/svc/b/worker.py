import json  # 1


def work(n):  # 1
    total = 0  # 1
    for i in range(n):  # 1
        total += i  # 1
    return total  # 1


def idle():  # 1
    pass  # 0


print(json.dumps(work(4)))  # 1
