# One of two concurrent runs: runs its own scrubbed-environment child, says
# it is ready, and stays active until the test says go.
import os
import subprocess
import sys
import time

me, here = sys.argv[1], os.path.dirname(os.path.abspath(__file__))
subprocess.run([sys.executable, os.path.join(here, "iso_%s.py" % me)], env={}, check=True)
open(os.path.join(here, "ready_" + me), "w").close()
deadline = time.time() + 120
while not os.path.exists(os.path.join(here, "go")) and time.time() < deadline:
    time.sleep(0.05)
