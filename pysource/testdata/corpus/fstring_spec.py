# A string in a nested format-spec field holds a brace (valid before and
# after PEP 701).
spec = f'{3:{"}"}>10}' + f'{2:{"{"}>10}'
ok = 1
