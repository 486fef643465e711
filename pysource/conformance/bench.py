"""Time coverage.py's PythonParser over a corpus, for the speed comparison
in speed_test.go.

    python3 bench.py [ROOT...]

Prints one line: FILES CPU-SECONDS (parse time only, sources read beforehand,
the same default exclusion list as the conformance dump).
"""

import sys
import time

from coverage import config as covconfig
from coverage.exceptions import NotPython
from coverage.misc import join_regex
from coverage.parser import PythonParser
from coverage.python import get_python_source

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import dump  # noqa: E402  (the same corpus walk)


def main():
    rootdirs = []
    for r in sys.argv[1:] or ["@stdlib"]:
        rootdirs += dump.roots() if r == "@stdlib" else [r]
    texts = []
    for path in dump.files(rootdirs):
        try:
            texts.append((path, get_python_source(path)))
        except Exception:
            pass
    exclude = join_regex(covconfig.DEFAULT_EXCLUDE)
    start = time.process_time()
    for path, text in texts:
        try:
            PythonParser(text=text, filename=path, exclude=exclude).parse_source()
        except NotPython:
            pass
    print(len(texts), time.process_time() - start)


if __name__ == "__main__":
    main()
