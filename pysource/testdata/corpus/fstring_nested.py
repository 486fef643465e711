name = "x"
a = f"{f"{name}"}"
b = f"{'\n'.join([name])}"
c = f"{name:{'>'}{10}}"
d = f"""{
    name  # comment
}"""
e = 1
