import sys

sys.path.insert(0, ".")
from tests import test_lib

for name in sorted(dir(test_lib)):
    if name.startswith("test_"):
        getattr(test_lib, name)()
