import sys

print("execd")
if len(sys.argv) > 1:
    print("args")  # not-run
