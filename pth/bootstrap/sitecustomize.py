# covkit: started through PYTHONPATH by an active covkit run, so that
# interpreters without covkit's .pth hook (other virtualenvs, other
# installations) are measured too. It then hands over to the sitecustomize
# this one shadows, if any, and takes its own directory off sys.path.
import os as _os
import sys as _sys

try:
    import _covkit_bootstrap

    _covkit_bootstrap.start()
except BaseException:
    pass


def _covkit_chain():
    here = _os.path.dirname(_os.path.abspath(__file__))
    saved = _sys.path[:]
    mine = _sys.modules.pop("sitecustomize", None)
    _sys.path[:] = [p for p in saved if _os.path.abspath(p or ".") != here]
    try:
        import sitecustomize  # noqa: F401  (the next one on sys.path)
    except ImportError as e:
        if getattr(e, "name", None) != "sitecustomize":
            raise
        if mine is not None:
            _sys.modules["sitecustomize"] = mine
    finally:
        _sys.path[:] = [p for p in _sys.path if _os.path.abspath(p or ".") != here]


_covkit_chain()
