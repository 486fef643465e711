import os
import subprocess
import sys

if "COVKIT_RUN" in os.environ:
    print("env leaked")  # not-run
gc = os.path.join(os.path.dirname(os.path.abspath(__file__)), "c_scrub_gc.py")
out = subprocess.run([sys.executable, gc], capture_output=True, text=True)
assert (out.returncode, out.stderr) == (0, ""), out
print("scrubbed")
