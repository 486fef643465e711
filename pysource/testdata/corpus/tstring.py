name = "x"
t = t"hello {name}"
u = 1
