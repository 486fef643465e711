import sys

if sys.prefix == sys.base_prefix:
    print("not a venv")  # not-run
print("venv")
