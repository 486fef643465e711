import subprocess
import sys


def main():
    # The child is a second interpreter measured by its own coverage.py.
    r = subprocess.run([sys.executable, "-m", "coverage", "run", "-p", "child.py", "7"])
    if r.returncode != 0:
        raise SystemExit("child failed")
    print("parent done")


if __name__ == "__main__":
    main()
