café = 1
π = 3.14
def ф():
    return café
