y = [1, 2]
for v in y:
    y = y
else:
    y = 0
if not y:
    y = None
else:
    y = 3  # not-run
