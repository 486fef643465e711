# Start-up benchmark: median wall time and CPU time (user+sys, from wait4) of
# `python -c pass` and of a small measured script, modes interleaved start
# by start so that load changes on the machine hit every mode alike.
#   bare      no covkit hook
#   inactive  covkit hook installed, no run active
#   lean      covkit run active, lean engine (sys.monitoring on 3.12+,
#             coverage.py's compiled tracer before; this driver runs under
#             `covhook run --no-install`)
#   coverage  covkit run active, coverage.py engine
#   cps       coverage.py's own process_startup (COVERAGE_PROCESS_START), if
#             this coverage.py ships its .pth (7.10+)
import os
import shutil
import statistics
import sys
import time

hook, n, cpsrc, script = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
base = {k: v for k, v in os.environ.items() if k not in ("COVKIT_RUN", "PYTHONPATH")}
root = os.environ["COVKIT_RUN"]


def with_engine(engine):
    # A copy of this run whose run.cfg asks for another engine.
    other = root + "-" + engine
    shutil.copytree(root, other, symlinks=True, dirs_exist_ok=True)
    cfg = [l for l in open(os.path.join(root, "run.cfg")) if not l.startswith("engine=")]
    with open(os.path.join(other, "run.cfg"), "w") as f:
        f.writelines(cfg + ["engine=%s\n" % engine])
    pp = os.environ["PYTHONPATH"].replace(root, other, 1)
    return dict(os.environ, COVKIT_RUN=other, PYTHONPATH=pp)


modes = {"bare": base, "inactive": base, "lean": with_engine("auto"), "coverage": with_engine("coverage")}
if any(f.endswith("coverage.pth") for f in os.listdir(os.path.dirname(hook))):
    modes["cps"] = dict(base, COVERAGE_PROCESS_START=cpsrc)
progs = {"-c pass": [sys.executable, "-c", "pass"], "script": [sys.executable, script]}
times = {(p, m): [] for p in progs for m in modes}
cpu = {(p, m): [] for p in progs for m in modes}


def once(p, m, env):
    argv = progs[p]
    t0 = time.perf_counter_ns()
    pid = os.posix_spawn(argv[0], argv, env)
    _, status, ru = os.wait4(pid, 0)
    times[p, m].append(time.perf_counter_ns() - t0)
    cpu[p, m].append((ru.ru_utime + ru.ru_stime) * 1e9)
    assert status == 0, (p, m, status)


off = hook + ".off"
try:
    for _ in range(n):
        for p in progs:
            for m, env in modes.items():
                if m == "bare":
                    os.rename(hook, off)
                try:
                    once(p, m, env)
                finally:
                    if m == "bare":
                        os.rename(off, hook)
finally:
    if os.path.exists(off):
        os.rename(off, hook)
print("program  mode      wall-ms  cpu-ms  cpu vs bare")
for p in progs:
    bare = statistics.median(cpu[p, "bare"])
    for m in modes:
        c = statistics.median(cpu[p, m])
        print("%-8s %-8s %8.3f %7.3f  %+7.3f ms" % (p, m, statistics.median(times[p, m]) / 1e6, c / 1e6, (c - bare) / 1e6))
