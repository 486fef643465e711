# covkit bootstrap: starts coverage.py for the active covkit run.
# Written by covkit next to its .pth hook and into each run's boot directory;
# do not edit (covkit rewrites it). Runs at interpreter start-up, so it must
# stay silent and never raise: every failure goes to the run's log directory.
# Compatible with CPython 3.9+ and coverage.py 6.5+.

import os
import sys

ENV = "COVKIT_RUN"

_started = False
_cov = None
_cfg = None
_lock = None
_interval = 0.0
_saving = False  # a save is writing the data file
_term_pending = False  # SIGTERM arrived during that save


def _read_kv(path):
    try:
        with open(path, "rb") as f:
            data = f.read().decode("utf-8", "surrogateescape")
    except OSError:
        return None
    kv = {}
    for line in data.splitlines():
        k, sep, v = line.partition("=")
        if sep:
            kv[k.strip()] = v
    return kv


def _proc_stat(pid):
    # (ppid, starttime) from /proc/PID/stat; comm may hold spaces and parens.
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            s = f.read()
    except OSError:
        return None
    fields = s[s.rfind(b")") + 2:].split()
    try:
        return int(fields[1]), fields[19].decode()
    except (IndexError, ValueError):
        return None


def _owner_alive(cfg):
    owner = cfg.get("owner", "0")
    if owner in ("", "0"):
        return True
    st = _proc_stat(int(owner))
    return st is not None and st[1] == cfg.get("start", "")


def _from_registry(reg):
    # A process whose environment was scrubbed finds its run by walking its
    # ancestors up to a registered, still-running run owner.
    try:
        names = os.listdir(reg)
    except OSError:
        return None
    owners = {}
    for n in names:
        if n.startswith("."):
            continue
        e = _read_kv(os.path.join(reg, n))
        if not e:
            continue
        try:
            owners[int(e.get("owner", "0"))] = e
        except ValueError:
            pass
    if not owners:
        return None
    pid = os.getpid()
    for _ in range(512):
        st = _proc_stat(pid)
        if st is None:
            return None
        e = owners.get(pid)
        if e is not None and e.get("start") == st[1]:
            return e.get("run")
        if st[0] <= 0:
            return None
        pid = st[0]
    return None


def _log(msg):
    try:
        d = os.path.join(_cfg["root"], "log") if _cfg else None
        if not d:
            return
        import time
        with open(os.path.join(d, "%d.log" % os.getpid()), "a") as f:
            f.write("%.6f %s\n" % (time.time(), msg))
    except BaseException:
        pass


def _log_exc(what):
    try:
        import traceback
        _log(what + ":\n" + traceback.format_exc())
    except BaseException:
        pass


def start(reg=None, from_pth=False):
    """Start measuring if a covkit run is active for this process."""
    global _started
    if _started:
        return
    _started = True
    try:
        root = os.environ.get(ENV)
        if root is None and reg:
            root = _from_registry(reg)
        if not root or root == "-":
            return
        _start(root)
        if _cov is not None and from_pth:
            # Measuring already: the run's sitecustomize (inherited through
            # PYTHONPATH) is not needed, and site will import the one it
            # shadows, at its usual time, once the boot directory is off
            # sys.path. Otherwise its lines would be measured.
            boot = os.path.join(root, "boot")
            sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != boot]
    except BaseException:
        _log_exc("start failed")


def _import_coverage(cfg):
    try:
        import coverage
        return coverage
    except ImportError:
        pass
    # Same Python version, coverage.py not installed here (another venv):
    # borrow the run's coverage.py through a directory that holds nothing else.
    cp = cfg.get("covpath")
    if not cp or cfg.get("pyver") != "%d.%d" % sys.version_info[:2]:
        return None
    sys.path.append(cp)
    try:
        import coverage
        return coverage
    except ImportError:
        return None
    finally:
        try:
            sys.path.remove(cp)
        except ValueError:
            pass


def _start(root):
    global _cov, _cfg, _lock, _interval
    cfg = _read_kv(os.path.join(root, "run.cfg"))
    if not cfg or not _owner_alive(cfg):
        return
    cfg["root"] = root
    _cfg = cfg
    coverage = _import_coverage(cfg)
    if coverage is None:
        return
    cur = getattr(coverage.Coverage, "current", None)
    if cur is not None and cur() is not None:
        return  # someone already measures this process
    import threading
    _lock = threading.RLock()

    class CovkitCoverage(coverage.Coverage):
        # Children never see coverage.py's warnings or messages: they go to
        # the run's log, and a failed save never raises into the program.
        def _warn(self, msg, slug=None, once=False):
            _log("coverage.py warning: %s (%s)" % (msg, slug))

        def _message(self, msg):
            pass

        def save(self):
            global _saving, _term_pending
            try:
                with _lock:
                    _saving = True
                    try:
                        _sent.clear()  # a real save clears the collected sets
                        coverage.Coverage.save(self)
                    finally:
                        _saving = False
            except BaseException:
                _log_exc("save failed")
            if _term_pending:
                # Delivered now that the data file is whole.
                _term_pending = False
                import signal
                os.kill(os.getpid(), signal.SIGTERM)

    project = cfg.get("project") or ""
    try:
        old = os.getcwd()
    except OSError:
        old = None
    moved = False
    if project and old != project:
        try:
            os.chdir(project)
            moved = True
        except OSError:
            pass
    try:
        cov = CovkitCoverage(
            data_file=os.path.join(cfg["data"], ".coverage"),
            data_suffix=True,
            config_file=cfg.get("rcfile") or True,
            auto_data=False,
        )
        _configure(cov, cfg)
        cov._auto_save = True
        for a in ("_warn_no_data", "_warn_unimported_source", "_warn_preimported_source"):
            setattr(cov, a, False)
        # Collector() records inspect.stack() for one diagnostic print; that
        # is about a tenth of coverage.py's start-up. Skipped for our start.
        colmod = sys.modules.get("coverage.collector")
        stack = getattr(colmod, "short_stack", None)
        if stack is not None:
            colmod.short_stack = _no_stack
        try:
            cov.start()
        finally:
            if stack is not None:
                colmod.short_stack = stack
    finally:
        if moved:
            try:
                os.chdir(old)
            except OSError:
                pass
    _cov = cov
    _guard_sigterm()
    _install_patches(cov, cfg)


def _guard_sigterm():
    # coverage.py's SIGTERM handler saves and then kills the process. A
    # SIGTERM that lands while a save is already writing (a pool worker
    # exiting at the moment Pool.terminate() signals it) would start a
    # nested save and kill the process half-way through the first one,
    # leaving a broken data file. Such a SIGTERM waits for the save to end.
    import signal
    try:
        handler = signal.getsignal(signal.SIGTERM)
    except (AttributeError, ValueError):
        return
    if not callable(handler):
        return

    def covkit_sigterm(signum, frame):
        global _term_pending
        if _saving:
            _term_pending = True
            return
        handler(signum, frame)

    try:
        signal.signal(signal.SIGTERM, covkit_sigterm)
    except (ValueError, OSError):
        pass  # not the main thread: coverage.py installed no handler either


def _no_stack(*args, **kwargs):
    return "(coverage started by covkit)"


def _opt(cov, name, value):
    try:
        cov.set_option(name, value)
        return True
    except Exception:
        return False


def _get(cov, name, default=None):
    try:
        return cov.get_option(name)
    except Exception:
        return default


def _configure(cov, cfg):
    # coverage.py's own SIGTERM handling exists since 6.4; it saves through
    # our save() and then re-delivers the signal.
    _opt(cov, "run:sigterm", True)
    conc = _get(cov, "run:concurrency")
    if isinstance(conc, list) and "multiprocessing" in conc:
        # Every child process is measured by covkit already; coverage.py's
        # multiprocessing patch would start a second, differently configured
        # Coverage in spawned children.
        _opt(cov, "run:concurrency", [c for c in conc if c != "multiprocessing"] or ["thread"])
    patch = _get(cov, "run:patch")
    if isinstance(patch, list):
        # coverage.py 7.10+: use its own _exit patch. Its subprocess and execv
        # patches hand their own configuration to children through
        # COVERAGE_PROCESS_CONFIG (mutating exec's env argument), which would
        # start a second, non-covkit Coverage in them, and its fork patch
        # restarts coverage.py in the child only when COVERAGE_PROCESS_START
        # or _CONFIG is set, losing the child otherwise: covkit covers all three.
        patch = [p for p in patch if p not in ("subprocess", "execv", "fork")]
        if "_exit" not in patch:
            patch.append("_exit")
        _opt(cov, "run:patch", patch)
    if cfg.get("branch") == "1":
        _opt(cov, "run:branch", True)
    if cfg.get("contexts") == "process":
        _opt(cov, "run:context", _cmdline())


def _cmdline():
    try:
        with open("/proc/self/cmdline", "rb") as f:
            args = f.read().split(b"\0")
        if args and args[-1] == b"":
            args.pop()
        return " ".join(a.decode("utf-8", "replace") for a in args)
    except OSError:
        return " ".join(getattr(sys, "orig_argv", sys.argv))


def _save():
    if _cov is not None:
        _cov.save()


def _noop():
    pass


_sent = {}  # file -> size of its set at the last checkpoint


def _checkpoint():
    # Not Coverage.save(): its flush copies the collected sets, writes them,
    # then clears them, so a line recorded by another thread in between is
    # lost (and, under sys.monitoring, never reported again). A checkpoint
    # writes a snapshot and keeps everything in memory; the final save at
    # exit flushes and clears as usual. Sets only grow between real saves,
    # so only files whose set grew are written again. It also skips save()'s
    # search for unexecuted source files.
    col = getattr(_cov, "_collector", None)
    data = getattr(col, "data", None)
    if not isinstance(data, dict) or _lock is None:
        return
    try:
        with _lock:
            grown = {}
            for k, v in data.copy().items():
                n = len(v)
                if _sent.get(k) != n:
                    # A copy (atomic under the GIL): coverage.py 6.x iterates
                    # what it is given while the tracer may be adding to it.
                    grown[k] = v.copy()
                    _sent[k] = n
            if not grown:
                return
            # The tracers keep their own reference to the live dict: swapping
            # the collector's attribute only changes what this flush sees.
            # _clear_data would also reset the tracers' activity flags, and a
            # line recorded meanwhile would then be skipped by the final save.
            col.data = grown
            col._clear_data = _noop  # shadows the method on this instance
            try:
                col.flush_data()
            finally:
                del col._clear_data
                col.data = data
    except BaseException:
        _log_exc("checkpoint")


def _wrap(name, orig):
    def covkit_patch(*args, **kwargs):
        _save()
        return orig(*args, **kwargs)

    covkit_patch.__name__ = name
    covkit_patch.__wrapped__ = orig
    return covkit_patch


def _install_patches(cov, cfg):
    global _interval
    patch = _get(cov, "run:patch")
    if not (isinstance(patch, list) and "_exit" in patch):
        os._exit = _wrap("_exit", os._exit)
    # os.exec*l*/exec*p* and the POSIX os.spawn* all end in execv or execve.
    for name in ("execv", "execve"):
        orig = getattr(os, name, None)
        if orig is not None:
            setattr(os, name, _wrap(name, orig))
    try:
        _interval = float(cfg.get("checkpoint") or 0)
    except ValueError:
        _interval = 0.0
    if _interval > 0:
        for name in ("fork", "forkpty"):
            orig = getattr(os, name, None)
            if orig is not None:
                setattr(os, name, _wrap_fork(name, orig))
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_after_fork_in_child)
    _start_checkpoints()


def _after_fork_in_child():
    # The inherited Coverage keeps measuring: coverage.py's data layer notices
    # the new pid and writes a new parallel data file. Only our own thread
    # state must be rebuilt.
    global _lock
    try:
        import threading
        _lock = threading.RLock()
        _sent.clear()  # the child writes a data file of its own
        _start_checkpoints()
    except BaseException:
        _log_exc("after fork")


_ckpt = None  # (thread, stop event) while checkpoints run


def _start_checkpoints():
    global _ckpt
    if _interval <= 0:
        return
    import threading

    stop = threading.Event()

    def loop():
        while not stop.wait(_interval):
            _checkpoint()

    t = threading.Thread(target=loop, name="covkit-checkpoint", daemon=True)
    t.start()
    _ckpt = (t, stop)


def _stop_checkpoints():
    # Before fork: CPython 3.12+ warns on stderr about forking a
    # multi-threaded process, and a thread holding the lock would deadlock
    # the child. The thread comes back in both processes after the fork.
    global _ckpt
    if _ckpt is None:
        return
    t, stop = _ckpt
    _ckpt = None
    stop.set()
    t.join(5)
    # join returns before the OS thread is gone, and CPython counts threads
    # in /proc/self/stat.
    tid = getattr(t, "native_id", None)
    if tid:
        import time
        for _ in range(2000):
            if not os.path.exists("/proc/self/task/%d" % tid):
                break
            time.sleep(0.0005)


def _wrap_fork(name, orig):
    # Only with checkpoints: the thread is stopped around the fork itself and
    # restarted once os.fork has returned, after CPython's check (3.13 runs
    # after-in-parent hooks before it).
    def covkit_fork(*args, **kwargs):
        _stop_checkpoints()
        try:
            return orig(*args, **kwargs)
        finally:
            if _ckpt is None:
                try:
                    _start_checkpoints()
                except BaseException:
                    _log_exc("after fork")

    covkit_fork.__name__ = name
    covkit_fork.__wrapped__ = orig
    return covkit_fork


def chain(sitecustomize_file):
    """Hand over to the sitecustomize that the run's one shadows, if any,
    and take the run's boot directory off sys.path."""
    here = os.path.dirname(os.path.abspath(sitecustomize_file))
    saved = sys.path[:]
    mine = sys.modules.pop("sitecustomize", None)
    sys.path[:] = [p for p in saved if os.path.abspath(p or ".") != here]
    try:
        import sitecustomize  # noqa: F401  (the next one on sys.path)
    except ImportError as e:
        if getattr(e, "name", None) != "sitecustomize":
            raise
        if mine is not None:
            sys.modules["sitecustomize"] = mine
    finally:
        sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]


def _relabel():
    # coverage.py never traces code whose file name is artificial ("<...>"),
    # so covkit's own lines (patches, saves, fork handling) stay out of the
    # data without an omit pattern, which would cost a regex per start.
    import types

    def fix(code):
        consts = tuple(fix(c) if isinstance(c, types.CodeType) else c for c in code.co_consts)
        return code.replace(co_filename="<covkit-bootstrap>", co_consts=consts)

    for obj in list(globals().values()):
        if isinstance(obj, types.FunctionType) and obj.__module__ == __name__:
            obj.__code__ = fix(obj.__code__)


_relabel()
