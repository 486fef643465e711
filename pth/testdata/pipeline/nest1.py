import os
import subprocess
import sys

print("nest1", flush=True)
cp = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "nest2.py")], capture_output=True, text=True)
assert cp.returncode == 0 and not cp.stderr, cp.stderr
sys.stdout.write(cp.stdout)
