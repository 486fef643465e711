import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import mpwork

if __name__ == "__main__":
    for method in ("fork", "spawn", "forkserver"):
        ctx = multiprocessing.get_context(method)
        proc = ctx.Process(target=getattr(mpwork, "work_" + method))
        proc.start()
        proc.join()
        assert proc.exitcode == 0, (method, proc.exitcode)
    with ProcessPoolExecutor(2) as ex:
        assert list(ex.map(mpwork.pool_task, [1, 2, 3])) == [2, 4, 6]
