# Checkpoint overhead workload: CPU time of a CPU-bound loop (old lines
# re-executed) and of a program that keeps executing new lines (every save
# has new data: the worst case), both run under covkit.
import os
import sys
import time

mode = sys.argv[1]
if mode == "loop":
    def f(n):
        s = 0
        for i in range(n):
            s += i * i
        return s

    t0 = time.process_time()
    for _ in range(int(sys.argv[2])):
        f(100000)
else:
    path = os.path.join(sys.argv[3], "genmod.py")
    src = "".join("def g%d(x):\n    y = x + %d\n    return y\n" % (i, i) for i in range(int(sys.argv[2])))
    with open(path, "w") as fh:
        fh.write(src)
    ns = {}
    exec(compile(src, path, "exec"), ns)
    t0 = time.process_time()
    for i in range(int(sys.argv[2])):
        ns["g%d" % i](i)
        if i % 1000 == 0:
            time.sleep(0.01)
print("%.3f" % (time.process_time() - t0))
