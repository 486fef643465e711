import os


def work_fork():
    return os.getpid()


def work_spawn():
    return os.getpid()


def work_forkserver():
    return os.getpid()


def pool_task(x):
    return x * 2


def never():
    return 0  # not-run
