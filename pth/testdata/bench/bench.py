# Start-up benchmark: median wall time and CPU time (user+sys, from wait4) of
# `python -c pass`, modes interleaved start by start so that load changes on
# the machine hit every mode alike.
#   bare      no covkit hook
#   inactive  covkit hook installed, no run active
#   active    covkit run active (this driver runs under `covhook run --no-install`)
#   cps       coverage.py's own process_startup (COVERAGE_PROCESS_START), if
#             this coverage.py ships its .pth (7.10+)
import os
import statistics
import sys
import time

hook, n, cpsrc = sys.argv[1], int(sys.argv[2]), sys.argv[3]
argv = [sys.executable, "-c", "pass"]
base = {k: v for k, v in os.environ.items() if k not in ("COVKIT_RUN", "PYTHONPATH")}
active = dict(os.environ)
modes = {"bare": base, "inactive": base, "active": active}
if any(f.endswith("coverage.pth") for f in os.listdir(os.path.dirname(hook))):
    modes["cps"] = dict(base, COVERAGE_PROCESS_START=cpsrc)
times = {m: [] for m in modes}
cpu = {m: [] for m in modes}


def once(m, env):
    t0 = time.perf_counter_ns()
    pid = os.posix_spawn(argv[0], argv, env)
    _, status, ru = os.wait4(pid, 0)
    times[m].append(time.perf_counter_ns() - t0)
    cpu[m].append((ru.ru_utime + ru.ru_stime) * 1e9)
    assert status == 0, (m, status)


off = hook + ".off"
try:
    for _ in range(n):
        for m, env in modes.items():
            if m == "bare":
                os.rename(hook, off)
            try:
                once(m, env)
            finally:
                if m == "bare":
                    os.rename(off, hook)
finally:
    if os.path.exists(off):
        os.rename(off, hook)
print("mode      wall-ms  cpu-ms")
for m in modes:
    print("%-8s %8.3f %7.3f" % (m, statistics.median(times[m]) / 1e6, statistics.median(cpu[m]) / 1e6))
