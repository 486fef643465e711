a = 1
d = r'\'
e = 2
