try:
    raise ExceptionGroup("g", [ValueError()])
except* ValueError:
    a = 1
except* TypeError as e:
    b = 2
