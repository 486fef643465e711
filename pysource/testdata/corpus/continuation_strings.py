usage = """\
line one
line two
"""
a = ["aaa",\
     "bbb \
ccc"]
b = 1
