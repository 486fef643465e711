def f():
    for i in x:
        try:
            if i:
                break
            if i > 1:
                continue
            return 3
        finally:
            cleanup()
    try:
        a = 1
    except* ValueError:
        a = 2
    try:
        raise X
    except Y:
        pass
    else:
        b = 1
    try:
        pass
    finally:
        raise Z

def g():
    try:
        return 1
    except:
        return 2
    x = 3

def h():
    try:
        a()
    except E:
        raise
    try:
        b()
    finally:
        try:
            c()
        except F:
            d()
