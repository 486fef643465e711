import os

if "COVKIT_RUN" in os.environ:
    print("env leaked")  # not-run
print("scrubbed")
