# PID 1 of its container, leaving SIGTERM at its default: docker stop's
# SIGTERM does not end it (SIGKILL does, after the timeout). It pushes only
# at exit and when asked (checkpoint 1h): what it ran arrives because
# covkit's client pushes on that SIGTERM.
import time  # run


def work():
    return 1  # run


work()  # run
print("stopped ready", flush=True)  # run
while True:
    time.sleep(0.1)  # run
