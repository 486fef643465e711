class Thing:
    def __init__(self, v):
        if v < 0:
            raise AssertionError("negative")
        self.v = v

    def __repr__(self):
        if self.v:
            return f"Thing({self.v})"
        return "Thing()"

    def __str__(self):
        return "thing" if self.v else "none"


def check(n):
    while 1:
        if n:
            break
        n += 1
    try:
        assert n
    except AssertionError:
        raise
    return [i for i in range(n) if i] or None
