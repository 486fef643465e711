# covkit's stand-in container hook (dockerkit's fallback until pth's hook is
# wired in). Imported from covkit_dockerhook.pth at interpreter start-up; it
# does nothing unless COVKIT_DOCKERHOOK_DIR names the directory to write
# coverage data into.
import os
import sys


def _start():
    data_dir = os.environ.get("COVKIT_DOCKERHOOK_DIR")
    if not data_dir or getattr(sys, "_covkit_dockerhook", None) is not None:
        return
    try:
        import coverage
    except Exception:
        return
    rc = os.environ.get("COVKIT_DOCKERHOOK_RCFILE") or False
    cov = coverage.Coverage(
        data_file=os.path.join(data_dir, ".coverage"),
        data_suffix=True,
        config_file=rc,
    )
    cov.start()
    sys._covkit_dockerhook = cov
    owner = os.environ.get("COVKIT_DOCKERHOOK_OWNER", "")
    state = {"saved": False}

    def save():
        if state["saved"]:
            return
        state["saved"] = True
        try:
            cov.stop()
            cov.save()
        except Exception:
            return
        # Files a root process writes must be the host user's.
        if owner and hasattr(os, "geteuid") and os.geteuid() == 0:
            try:
                uid, gid = (int(x) for x in owner.split(":"))
                name = cov.get_data().data_filename()
                os.chown(name, uid, gid)
            except Exception:
                pass

    import atexit
    atexit.register(save)

    real_exit = os._exit

    def _exit(code):
        save()
        real_exit(code)

    os._exit = _exit

    try:
        import signal

        if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
            def on_term(signum, frame):
                save()
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                os.kill(os.getpid(), signal.SIGTERM)

            signal.signal(signal.SIGTERM, on_term)
    except Exception:
        pass


_start()
