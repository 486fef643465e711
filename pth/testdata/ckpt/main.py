# Kills a measured child with SIGKILL once it has run its lines and slept
# through a few checkpoint intervals.
import os
import subprocess
import sys

victim = os.path.join(os.path.dirname(os.path.abspath(__file__)), "victim.py")
p = subprocess.Popen([sys.executable, victim], stdout=subprocess.PIPE, text=True)
assert p.stdout.readline() == "ready\n"
p.kill()
p.wait()
print("killed")
