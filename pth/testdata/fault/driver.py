# Runs children the ways that stress the bootstrap; every one must behave as
# if covkit were not there, with clean stderr.
import os
import subprocess
import sys

PY = sys.executable
for env in (None, {}):
    cp = subprocess.run([PY, "-c", "print(42)"], capture_output=True, text=True, env=env)
    assert (cp.returncode, cp.stdout, cp.stderr) == (0, "42\n", ""), (env, cp)
cp = subprocess.run([PY, "-c", "import os; print(7, flush=True); os._exit(3)"], capture_output=True, text=True)
assert (cp.returncode, cp.stdout, cp.stderr) == (3, "7\n", ""), cp
pid = os.fork()
if pid == 0:
    os._exit(0)
assert os.waitpid(pid, 0)[1] == 0
print("ok")
