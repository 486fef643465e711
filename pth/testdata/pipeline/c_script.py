#!/usr/bin/python3
import sys

if sys.argv[0].endswith("c_script.py"):
    z = 1
else:
    z = 2  # not-run
