import os
import subprocess
import sys

print("nest2", flush=True)
cp = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "nest3.py")], capture_output=True, text=True)
assert cp.returncode == 0 and not cp.stderr, cp.stderr
sys.stdout.write(cp.stdout)
