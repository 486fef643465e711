"""Time coverage.py's PythonParser over a corpus, for the speed comparison
in speed_test.go.

    python3 bench.py [-r REPEAT] [ROOT...]

Prints one line: FILES CPU-SECONDS (parse time only, sources read beforehand,
the same default exclusion list as the conformance dump; the best of REPEAT
passes, default 1).
"""

import sys
import time

from coverage import config as covconfig
from coverage.exceptions import NotPython
from coverage.misc import join_regex
from coverage.parser import PythonParser
from coverage.python import get_python_source

import dumpcommon  # the conformance dump's corpus walk


def main():
    args = sys.argv[1:]
    repeat = 1
    if args[:1] == ["-r"]:
        repeat, args = int(args[1]), args[2:]
    texts = []
    for path in dumpcommon.files(dumpcommon.root_dirs(args)):
        try:
            texts.append((path, get_python_source(path)))
        except Exception:
            pass
    exclude = join_regex(covconfig.DEFAULT_EXCLUDE)
    best = None
    for _ in range(repeat):
        start = time.process_time()
        for path, text in texts:
            try:
                PythonParser(text=text, filename=path, exclude=exclude).parse_source()
            except NotPython:
                pass
        took = time.process_time() - start
        best = took if best is None else min(best, took)
    print(len(texts), best)


if __name__ == "__main__":
    main()
