import sys

if sys.argv[1] == "one":
    x = 1
else:
    x = 2
