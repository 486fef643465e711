# covkit: imported through PYTHONPATH in every Python process of an active
# covkit run, so that interpreters without covkit's .pth hook (other
# virtualenvs, other installations) are measured too. It hands over to the
# sitecustomize it shadows. Everything after coverage.py starts happens on
# the last line, inside the bootstrap, so no line of this file is measured.
try:
    import _covkit_bootstrap as _covkit
except BaseException:
    _covkit = None
_covkit and (_covkit.start(), _covkit.chain(__file__))
