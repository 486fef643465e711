import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
subprocess.run([sys.executable, os.path.join(here, "child.py"), "one"], check=True)
subprocess.run([sys.executable, os.path.join(here, "child.py"), "two"], env={}, check=True)
