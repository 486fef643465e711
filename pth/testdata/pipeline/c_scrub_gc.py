import os

if "COVKIT_RUN" in os.environ or "PYTHONPATH" in os.environ:
    x = "inherited covkit's environment"  # not-run
y = 1
