import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "shared"))
import local  # noqa: E402
import util  # noqa: E402
from sp import deep  # noqa: E402

local.hello()
util.twice(2)
deep.go(True)
