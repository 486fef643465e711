def mean(xs):  # 1
    return sum(xs) / len(xs)  # 1


def unused():  # 1
    return 0  # 0
