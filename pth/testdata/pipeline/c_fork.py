import os
import sys


def in_child():
    return os.getpid()


def in_child_exiting():
    return os.getpid()


def never():
    return 0  # not-run


pid = os.fork()
if pid == 0:
    in_child()
    os._exit(0)
_, status = os.waitpid(pid, 0)
assert status == 0
pid = os.fork()
if pid == 0:
    in_child_exiting()
    sys.exit(0)
_, status = os.waitpid(pid, 0)
assert status == 0
