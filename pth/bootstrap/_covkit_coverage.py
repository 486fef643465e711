# covkit's coverage.py engine: starts coverage.py in a measured process for
# the active covkit run, where the lean engine cannot measure it (CPython
# before 3.12, branch coverage, plug-ins, dynamic contexts, ...). Imported by
# _covkit_bootstrap only then. Written by covkit; do not edit.
#
# In the style of coverage.py's patch.py: one small function per patch, and
# the state in one object (_state). It never changes how a process dies:
# coverage.py's own SIGTERM handler runs only if the project configured
# [run] sigterm = true (a Python handler delays a process busy in C code and
# can hang a multiprocessing worker waiting on a lock).

import os
import sys

import _covkit_bootstrap as _boot


class _State:
    cov = None  # the Coverage object
    lock = None  # serializes saves and checkpoints
    interval = 0.0  # checkpoint interval in seconds, 0: none
    saving = False  # a save is writing the data file
    term_pending = False  # SIGTERM arrived during that save
    sent = None  # file -> size of its line set at the last checkpoint
    ckpt = None  # (thread, stop event) while checkpoints run


_state = _State()
_state.sent = {}


def start(cfg, root):
    coverage = _import_coverage(cfg)
    if coverage is None:
        return
    cur = getattr(coverage.Coverage, "current", None)
    if cur is not None and cur() is not None:
        return  # someone already measures this process
    import threading
    _state.lock = threading.RLock()
    cov = _new_coverage(coverage, cfg)
    _state.cov = cov
    _boot.run.switch = cov.switch_context
    if _get(cov, "run:sigterm") is True:
        _guard_sigterm()
    patch_exit(cov)
    _boot.patch_exec(_save)
    _state.interval = _checkpoint_interval(cfg)
    if _state.interval > 0:
        patch_fork()
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_after_fork_in_child)
    _start_checkpoints()
    _boot.patch_pool_workers(_checkpoint)


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


def _coverage_class(coverage):
    class CovkitCoverage(coverage.Coverage):
        # Children never see coverage.py's warnings or messages: they go to
        # the run's log, and a failed save never raises into the program.
        def _warn(self, msg, slug=None, once=False):
            _boot.log("coverage.py warning: %s (%s)" % (msg, slug))

        def _message(self, msg):
            pass

        def save(self):
            _save_locked(coverage.Coverage.save, self)

    return CovkitCoverage


def _save_locked(save, cov):
    try:
        with _state.lock:
            _state.saving = True
            try:
                _state.sent.clear()  # a real save clears the collected sets
                save(cov)
            finally:
                _state.saving = False
    except BaseException:
        _boot.log_exc("save failed")
    if _state.term_pending:
        # Delivered now that the data file is whole.
        _state.term_pending = False
        import signal
        os.kill(os.getpid(), signal.SIGTERM)


def _new_coverage(coverage, cfg):
    # coverage.py reads the project's configuration from the project
    # directory, whatever this process's working directory.
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
        cov = _coverage_class(coverage)(
            data_file=os.path.join(cfg["data"], ".coverage"),
            data_suffix=True,
            config_file=cfg.get("rcfile") or True,
            auto_data=False,
        )
        _configure(cov, cfg)
        cov._auto_save = True
        for a in ("_warn_no_data", "_warn_unimported_source", "_warn_preimported_source"):
            setattr(cov, a, False)
        _start_quietly(cov)
    finally:
        if moved:
            try:
                os.chdir(old)
            except OSError:
                pass
    return cov


def _start_quietly(cov):
    # Collector() records inspect.stack() for one diagnostic print; that is
    # about a tenth of coverage.py's start-up. Skipped for our start.
    colmod = sys.modules.get("coverage.collector")
    stack = getattr(colmod, "short_stack", None)
    if stack is not None:
        colmod.short_stack = _no_stack
    try:
        cov.start()
    finally:
        if stack is not None:
            colmod.short_stack = stack


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
    ctx = _boot.static_context(cfg)
    if ctx:
        _opt(cov, "run:context", ctx)
    if cfg.get("contexts") == "test" and _get(cov, "run:core") in (None, "sysmon"):
        # covkit switches contexts at each test: coverage.py's sys.monitoring
        # core (its default from 3.14) does not record a line again in a new
        # context ("context data may be incomplete"), its C tracer does.
        _opt(cov, "run:core", "ctrace")


def _guard_sigterm():
    # coverage.py's SIGTERM handler (the project's sigterm = true) saves and
    # then kills the process. A SIGTERM that lands while a save is already
    # writing (a pool worker exiting at the moment Pool.terminate() signals
    # it) would start a nested save and kill the process half-way through
    # the first one, leaving a broken data file: it waits for the save.
    import signal
    try:
        handler = signal.getsignal(signal.SIGTERM)
    except (AttributeError, ValueError):
        return
    if not callable(handler):
        return

    def covkit_sigterm(signum, frame):
        if _state.saving:
            _state.term_pending = True
            return
        handler(signum, frame)

    try:
        signal.signal(signal.SIGTERM, covkit_sigterm)
    except (ValueError, OSError):
        pass  # not the main thread: coverage.py installed no handler either


def _save():
    if _state.cov is not None:
        _state.cov.save()


def patch_exit(cov):
    """os._exit saves first (coverage.py 7.10+ has its own patch for it)."""
    patch = _get(cov, "run:patch")
    if not (isinstance(patch, list) and "_exit" in patch):
        os._exit = _boot.save_first("_exit", os._exit, _save)


def patch_fork():
    """With checkpoints, the checkpoint thread is stopped around os.fork and
    restarted once it has returned, after CPython's check for forking a
    multi-threaded process (3.13 runs after-in-parent hooks before it)."""
    for name in ("fork", "forkpty"):
        orig = getattr(os, name, None)
        if orig is not None:
            setattr(os, name, _wrap_fork(name, orig))


def _wrap_fork(name, orig):
    def covkit_fork(*args, **kwargs):
        _stop_checkpoints()
        try:
            return orig(*args, **kwargs)
        finally:
            if _state.ckpt is None:
                try:
                    _start_checkpoints()
                except BaseException:
                    _boot.log_exc("after fork")

    covkit_fork.__name__ = name
    covkit_fork.__wrapped__ = orig
    return covkit_fork


def _after_fork_in_child():
    # The inherited Coverage keeps measuring: coverage.py's data layer notices
    # the new pid and writes a new parallel data file. Only our own thread
    # state must be rebuilt.
    try:
        import threading
        _state.lock = threading.RLock()
        _state.sent.clear()  # the child writes a data file of its own
        _start_checkpoints()
    except BaseException:
        _boot.log_exc("after fork")


def _checkpoint_interval(cfg):
    try:
        return float(cfg.get("checkpoint") or 0)
    except ValueError:
        return 0.0


def _noop():
    pass


def _checkpoint():
    # Not Coverage.save(): its flush copies the collected sets, writes them,
    # then clears them, so a line recorded by another thread in between is
    # lost (and, under sys.monitoring, never reported again). A checkpoint
    # writes a snapshot and keeps everything in memory; the final save at
    # exit flushes and clears as usual. Sets only grow between real saves,
    # so only files whose set grew are written again. It also skips save()'s
    # search for unexecuted source files.
    col = getattr(_state.cov, "_collector", None)
    data = getattr(col, "data", None)
    if not isinstance(data, dict) or _state.lock is None:
        return
    try:
        with _state.lock:
            grown = {}
            for k, v in data.copy().items():
                n = len(v)
                if _state.sent.get(k) != n:
                    # A copy (atomic under the GIL): coverage.py 6.x iterates
                    # what it is given while the tracer may be adding to it.
                    grown[k] = v.copy()
                    _state.sent[k] = n
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
        _boot.log_exc("checkpoint")


def _start_checkpoints():
    if _state.interval <= 0:
        return
    import threading

    stop = threading.Event()
    interval = _state.interval

    def loop():
        while not stop.wait(interval):
            _checkpoint()

    t = threading.Thread(target=loop, name="covkit-checkpoint", daemon=True)
    t.start()
    _state.ckpt = (t, stop)


def _stop_checkpoints():
    # Before fork: CPython 3.12+ warns on stderr about forking a
    # multi-threaded process, and a thread holding the lock would deadlock
    # the child. The thread comes back in both processes after the fork.
    if _state.ckpt is None:
        return
    t, stop = _state.ckpt
    _state.ckpt = None
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


def _relabel():
    # coverage.py never traces code whose file name is artificial ("<...>"),
    # so covkit's own lines (patches, saves, fork handling) stay out of the
    # data without an omit pattern, which would cost a regex per start.
    import types

    def fix(code):
        consts = tuple(fix(c) if isinstance(c, types.CodeType) else c for c in code.co_consts)
        return code.replace(co_filename="<covkit-bootstrap>", co_consts=consts)

    for mod in (sys.modules[__name__], _boot):
        for obj in list(vars(mod).values()):
            if isinstance(obj, types.FunctionType) and obj.__module__ == mod.__name__:
                obj.__code__ = fix(obj.__code__)
        for obj in list(vars(mod).values()):
            if isinstance(obj, type) and obj.__module__ == mod.__name__:
                for v in list(vars(obj).values()):
                    if isinstance(v, types.FunctionType):
                        v.__code__ = fix(v.__code__)
    # unittest imported before measuring started (--contexts test): its
    # TestCase.run is already covkit's.
    tc = getattr(sys.modules.get("unittest.case"), "TestCase", None)
    wrapper = getattr(tc, "run", None)
    if getattr(wrapper, "__covkit__", False):
        wrapper.__code__ = fix(wrapper.__code__)


_relabel()
