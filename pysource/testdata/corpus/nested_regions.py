class Outer:
    class Inner:
        def method(self):
            def helper():
                return 1
            return helper()

    def outer_method(self):
        return 2

    if True:
        def cond_method(self):
            return 3
    else:
        def else_method(self):
            return 4

    try:
        def try_method(self):
            return 5
    except Exception:
        def except_method(self):
            return 6


def top():
    class Local:
        def lm(self):
            return 7
    return Local


for i in range(1):
    def in_loop():
        return 8
