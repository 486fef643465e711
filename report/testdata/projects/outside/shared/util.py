def twice(x):
    if x:
        return 2 * x
    return 0
