# covkit: imported through PYTHONPATH in every Python process of an active
# covkit run, so that interpreters without covkit's .pth hook (other
# virtualenvs, other installations) are measured too. It hands over to the
# sitecustomize it shadows first (the interpreter's start-up customisation is
# not the program's code), then starts measuring, on the last line, inside
# the bootstrap: no line of this file is measured.
try:
    import _covkit_bootstrap as _covkit
except BaseException:
    _covkit = None
_covkit and (_covkit.chain(__file__), _covkit.start())
