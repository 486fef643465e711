def g():
    return 10


def g():  # redefined: same region name twice
    return 11
