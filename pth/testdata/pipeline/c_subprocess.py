import sys

if len(sys.argv) > 1:
    print("unexpected")  # not-run
print("subprocess")
