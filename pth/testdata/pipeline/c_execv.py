import os
import sys

print("execv", flush=True)
os.execv(sys.executable, [sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "c_execd.py")])
print("after execv")  # not-run
