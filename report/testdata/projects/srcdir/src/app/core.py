def go():
    x = 1
    if x:
        return x
    raise NotImplementedError

def no():
    pass