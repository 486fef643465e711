# covkit's lean engine before CPython 3.12 (no sys.monitoring): coverage.py's
# own compiled line tracer records the lines, loaded alone (coverage.py itself
# is never imported: that costs ~80 ms per process), with covkit's choice of
# files; covkit writes the lines in its lean data file format when the process
# exits, execs or calls os._exit, at each checkpoint (--checkpoint), and on
# SIGTERM only where the project asked for it ([run] sigterm = true). Imported
# by _covkit_bootstrap only then. Written by covkit; do not edit.

# Everything this engine imports, it imports before its tracer starts:
# another import afterwards would run the interpreter's import hooks
# (setuptools' _distutils_hack, for one) under measurement.
import _thread
import atexit
import os
import sys

import _covkit_bootstrap as _boot


class _State:
    """Everything this engine keeps, in one place."""

    tracer = None  # coverage.py's compiled tracer module
    data = None  # source path -> set of lines (the tracers fill it)
    cache = None  # file name -> disposition (the tracers' cache)
    modules = None  # source path -> module name
    sel = None  # the run's file selection (_boot.Selection)
    header = None  # the data file's header facts
    data_dir = None
    path = None  # this process's data file
    lock = None
    saved = None  # (switches, lines) at the last save
    interval = 0.0  # checkpoint interval, 0: none
    ctx = ""  # the dynamic context data's lines ran in ("": none)
    earlier = None  # dynamic context -> source path -> lines, switched away from
    switches = 0  # how many times the context changed


_state = _State()


def load_tracer(cfg):
    """coverage.py's compiled tracer module for this interpreter, or None:
    the one of the coverage.py this process can import, else the run's
    (same Python version)."""
    import _imp
    finder = sys.modules["_frozen_importlib_external"].PathFinder
    dirs = []
    spec = finder.find_spec("coverage")
    if spec is not None and spec.submodule_search_locations:
        dirs.extend(spec.submodule_search_locations)
    cp = cfg.get("covpath")
    if cp and cfg.get("pyver") == "%d.%d" % sys.version_info[:2]:
        dirs.append(os.path.join(cp, "coverage"))
    for d in dirs:
        for suffix in _imp.extension_suffixes():
            p = os.path.join(d, "tracer" + suffix)
            if os.path.exists(p):
                ms = sys.modules["_frozen_importlib"].ModuleSpec("_covkit_ctrace_tracer.tracer", None, origin=p)
                return _imp.create_dynamic(ms)
    return None


def start(cfg, tracer):
    """Measure this process with tracer (load_tracer's module)."""
    _state.tracer = tracer
    _state.data, _state.cache, _state.modules, _state.earlier = {}, {}, {}, {}
    _state.sel = _boot.Selection(cfg)
    _state.header = _state.sel.header(cfg)
    _state.data_dir = cfg["data"]
    _state.path = _boot.data_file_name(_state.data_dir)
    _state.lock = _thread.RLock()
    patch_threads()
    patch_exit()
    _boot.patch_exec(save)
    atexit.register(save)
    os.register_at_fork(after_in_child=_after_fork_in_child)
    try:
        _state.interval = float(cfg.get("checkpoint") or 0)
    except ValueError:
        _state.interval = 0.0
    _start_checkpoints()
    if cfg.get("sigterm") == "1":
        _save_on_sigterm()
    _boot.patch_pool_workers(save)
    _boot.run.switch = switch_context
    # Measuring starts last.
    _new_tracer()


def _should_trace(filename, frame):
    d = _state.tracer.CFileDisposition()
    d.original_filename = filename
    chosen = None
    if not filename.startswith(_state.sel.fast_skip):
        chosen = _state.sel.select(filename, frame)
    d.canonical_filename = d.source_filename = chosen[0] if chosen else filename
    d.trace = chosen is not None
    d.reason = ""
    d.file_tracer = None
    d.has_dynamic_filename = False
    if chosen is not None:
        _state.modules[chosen[0]] = chosen[1]
    return d


def _noop(*args, **kwargs):
    pass


def _new_tracer():
    # One tracer per thread, sharing the data and the file decisions, as
    # coverage.py runs them.
    t = _state.tracer.CTracer()
    t.data = _state.data
    t.trace_arcs = False
    t.should_trace = _should_trace
    t.should_trace_cache = _state.cache
    t.warn = _noop
    for name, value in (("concur_id_func", None), ("file_tracers", {}), ("check_include", None),
                        ("should_start_context", None), ("switch_context", None), ("disable_plugin", _noop),
                        ("lock_data", _noop), ("unlock_data", _noop)):
        if hasattr(t, name):
            setattr(t, name, value)
    t.start()
    return t


def patch_threads():
    """Threads are traced from their first line: a tracer starts in each
    new thread before the thread's function runs."""
    orig = _thread.start_new_thread

    def covkit_start_new_thread(function, args, kwargs=None):
        def traced(*a, **k):
            try:
                _new_tracer()
            except Exception:
                _boot.log_exc("thread tracer")
            return function(*a, **k)

        return orig(traced, args, kwargs if kwargs is not None else {})

    _thread.start_new_thread = covkit_start_new_thread
    threading = sys.modules.get("threading")
    if threading is not None and getattr(threading, "_start_new_thread", None) is orig:
        threading._start_new_thread = covkit_start_new_thread


def patch_exit():
    """os._exit saves first."""
    os._exit = _boot.save_first("_exit", os._exit, save)


def _after_fork_in_child():
    # The child writes a data file of its own (holding the lines its parent
    # had run too: merging unions them).
    _state.lock = _thread.RLock()
    _state.path = _boot.data_file_name(_state.data_dir)
    _state.saved = None
    _start_checkpoints()


def switch_context(name):
    """Lines run from now on belong to dynamic context name ("": none), as
    coverage.py's Coverage.switch_context has it (--contexts test). The
    lines recorded so far move to the context they ran in; the tracers'
    sets are emptied in place (a running frame's tracer holds its file's
    set), so every line records again in the new context."""
    with _state.lock:
        if name == _state.ctx:
            return
        moved = _state.earlier.setdefault(_state.ctx, {})
        for path, lines in list(_state.data.items()):
            if lines:
                # copy then clear: under the GIL each is atomic.
                moved.setdefault(path, set()).update(lines.copy())
                lines.clear()
        _state.ctx = name
        _state.switches += 1


def _snapshot():
    # (context, [(path, sorted lines)]) for every context that ran lines,
    # the current one last. Under the GIL a C-level copy of each set is
    # atomic, whatever other threads record meanwhile.
    out = []
    for ctx, files in _state.earlier.items():
        if ctx != _state.ctx:
            out.append((ctx, files))
    now = {p: set(ls.copy()) for p, ls in list(_state.data.items())}
    for p, ls in _state.earlier.get(_state.ctx, {}).items():
        now.setdefault(p, set()).update(ls)
    out.append((_state.ctx, now))
    return [(ctx, [(p, sorted(ls)) for p, ls in files.items()]) for ctx, files in out]


def _name_slots(ctxs, paths):
    # The data file's names: each dynamic context (ids from 1) and each
    # file (ids from 0), then their ids.
    slots = []
    cids = {"": 0}
    for ctx in ctxs:
        if ctx not in cids:
            cid = cids[ctx] = len(cids)
            data = ctx.encode("utf-8", "surrogateescape")[:(1 << 20) - 1]
            slots += _boot.name_slots(_boot.KIND_CTXNAME, cid, data)
            slots.append((_boot.KIND_CONTEXT << 60) | (cid << 40) | len(data))
    fids = {}
    for path in paths:
        if path in fids:
            continue
        fid = fids[path] = len(fids)
        p = path.encode("utf-8", "surrogateescape")
        m = _state.modules.get(path, "").encode("utf-8", "surrogateescape")
        slots += _boot.name_slots(_boot.KIND_PATH, fid, p)
        slots += _boot.name_slots(_boot.KIND_MODULE, fid, m)
        slots.append((_boot.KIND_FILE << 60) | (fid << 40) | (len(p) << 20) | len(m))
    return slots, cids, fids


def save():
    """Write this process's data file (atomically: a checkpoint replaces
    the last one whole), unless no line was added since the last save:
    between context switches the sets only grow, so the switch count and
    their sizes tell, without sorting anything."""
    try:
        with _state.lock:
            key = (_state.switches, sum(map(len, list(_state.data.values()))))
            if key == _state.saved:
                return
            snap = _snapshot()
            slots, cids, fids = _name_slots([c for c, _ in snap], [p for _, files in snap for p, _ in files])
            for ctx, files in snap:
                slots.append((_boot.KIND_SWITCH << 60) | (cids[ctx] << 40))
                for path, lines in files:
                    prefix = (_boot.KIND_LINE << 60) | (fids[path] << 40)
                    slots += [prefix | line for line in lines if line >= 0]
            body = _boot.data_header(_state.header) + b"".join(s.to_bytes(8, "little") for s in slots)
            tmp = os.path.join(_state.data_dir, ".tmp-covkit-%d-%s" % (os.getpid(), os.urandom(4).hex()))
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o640)
            try:
                os.write(fd, body)
            finally:
                os.close(fd)
            os.replace(tmp, _state.path)
            _state.saved = key
    except BaseException:
        _boot.log_exc("save failed")


def _start_checkpoints():
    if _state.interval <= 0:
        return
    import time
    interval = _state.interval

    def loop():
        while True:
            time.sleep(interval)
            save()

    _thread.start_new_thread(loop, ())


def _save_on_sigterm():
    # The project's own [run] sigterm = true: save, then die of the signal.
    import signal

    def covkit_sigterm(signum, frame):
        save()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)

    try:
        signal.signal(signal.SIGTERM, covkit_sigterm)
    except (ValueError, OSError):
        pass
