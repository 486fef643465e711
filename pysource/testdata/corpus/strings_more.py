a = 'it''s'
b = "\"quoted\""
c = '''a ' b '' c'''
d = r'\\'
e = u'unicode'
f = Rb'\x00'
g = f"{a!r}" F'{b}' fR'{c}'
h = (
    "implicit"
    f"{a}"
    'concat'
)
i = '\
continued'
