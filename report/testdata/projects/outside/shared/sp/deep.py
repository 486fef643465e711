def go(flag):
    while flag:
        flag = False
    return flag
