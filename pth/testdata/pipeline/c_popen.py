def f():
    return "popen"


def g():
    return "never"  # not-run


print(f())
