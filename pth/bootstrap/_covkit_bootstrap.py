# covkit bootstrap: measures this process for the active covkit run.
# Written by covkit next to its .pth hook and into each run's boot directory;
# do not edit (covkit rewrites it). Runs at interpreter start-up in every
# measured process, so it must stay silent, never raise, and cost next to
# nothing: everything goes to the run's log directory instead.
# Compatible with CPython 3.9+.
#
# Two engines measure a process:
#   lean      covkit's own sys.monitoring tracer (CPython 3.12+): each line
#             reports once and is then disabled, and is written through to
#             a memory-mapped data file at once, so the data is on disk
#             whenever and however the process ends (exit, os._exit, exec,
#             SIGTERM, SIGKILL) and no handler or patch is needed.
#   ctrace    the lean engine before 3.12 (_covkit_ctrace): coverage.py's
#             compiled line tracer, covkit's file selection and data files,
#             written when the process exits, execs or calls os._exit.
#   coverage  coverage.py itself (_covkit_coverage), for what the lean
#             engines do not do (covrun decides; see lifecycle's engine
#             choice).
# The last two hold data in memory: patch_pool_workers writes it before a
# multiprocessing.Pool worker hands back a result, since Pool.terminate()
# (and leaving a `with Pool()` block) kills workers with SIGTERM.

import os
import sys

ENV = "COVKIT_RUN"


class _Run:
    """The active run as this process sees it: the one place the bootstrap
    keeps its state (the lean engine's recorder keeps its own, in one
    closure)."""

    started = False
    root = None  # the run directory
    cfg = None  # run.cfg
    engine = None  # "lean" or "coverage" once measuring
    switch = None  # the engine's switch_context, once measuring


run = _Run()


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
    if st is None and not os.path.exists("/proc/self"):
        # No /proc (macOS): the owner's pid alone says it is alive.
        return _pid_alive(int(owner))
    return st is not None and st[1] == cfg.get("start", "")


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except PermissionError:
        return True
    except OSError:
        return False
    return True


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


def log(msg):
    """Append msg to this process's file in the run's log directory."""
    if run.root:
        append_log(os.path.join(run.root, "log", "%d.log" % os.getpid()), msg)


def append_log(path, msg):
    """Append a time-stamped line to the log file path (never through a
    symlink planted there); silent whatever happens."""
    try:
        import time
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            os.write(fd, ("%.6f %s\n" % (time.time(), msg)).encode("utf-8", "replace"))
        finally:
            os.close(fd)
    except BaseException:
        pass


def log_exc(what):
    try:
        import traceback
        log(what + ":\n" + traceback.format_exc())
    except BaseException:
        pass


def start(reg=None, from_pth=False):
    """Start measuring if a covkit run is active for this process. From the
    .pth hook, measuring starts once site has finished (after sitecustomize
    and usercustomize), where `coverage run` starts: the other .pth files'
    imports and the interpreter's start-up customisation are not the
    program's code."""
    if run.started:
        return
    run.started = True
    try:
        cfg = _find_run(reg)
        if cfg is None:
            return
        _keep_pytest_plugin()
        if from_pth:
            _drop_boot_dir()
            if _defer_to_end_of_site():
                return
        _start_engine(cfg)
    except BaseException:
        log_exc("start failed")


def _start_engine(cfg):
    run.engine = choose_engine(cfg)
    if cfg.get("contexts") == "test" and not os.environ.get(CONTEXT_ENV):
        # A process a test started belongs to that test whatever it runs:
        # only the others watch for unittest.
        watch_unittest()
    # Measuring starts last: no line of this frame runs after it.
    if run.engine == "lean":
        _start_lean(cfg)
    elif run.engine == "ctrace":
        _start_ctrace(cfg)
    else:
        _start_coverage(cfg)


def _defer_to_end_of_site():
    # site.main() calls execsitecustomize() and then, with the user site
    # enabled, execusercustomize() after processing every .pth file: the
    # last of them starts measuring. Only while site.main() runs.
    site = sys.modules.get("site")
    f = sys._getframe(1)
    while f is not None and not (f.f_code.co_name == "main" and f.f_globals.get("__name__") == "site"):
        f = f.f_back
    if site is None or f is None:
        return False
    name = "execusercustomize" if getattr(site, "ENABLE_USER_SITE", False) else "execsitecustomize"
    last = getattr(site, name, None)
    if last is None:
        return False

    def covkit_start_after(*args, **kwargs):
        # Measuring starts on the last line: none of this runs measured.
        last(*args, **kwargs)
        setattr(site, name, last)
        _start_after_site()

    setattr(site, name, covkit_start_after)
    return True


def _start_after_site():
    try:
        _start_engine(run.cfg)
    except BaseException:
        log_exc("start failed")


def _find_run(reg):
    # The run this process belongs to: its environment names it, or (the
    # environment scrubbed) the registry beside the hook does.
    root = os.environ.get(ENV)
    if root is None and reg:
        root = _from_registry(reg)
    if not root or root == "-":
        return None
    cfg = _read_kv(os.path.join(root, "run.cfg"))
    if not cfg or not _owner_alive(cfg):
        return None
    run.root, run.cfg = root, cfg
    return cfg


def _keep_pytest_plugin():
    # PYTEST_PLUGINS names covkit's pytest plugin in every process of a
    # run: one whose PYTHONPATH was replaced (the hook found it) must still
    # be able to import it, or pytest would refuse to start.
    if "_covkit_pytest" in os.environ.get("PYTEST_PLUGINS", ""):
        d = os.path.join(run.root, "plugins")
        if d not in sys.path:
            sys.path.append(d)


def _drop_boot_dir():
    # The hook starts measuring: the run's sitecustomize (inherited through
    # PYTHONPATH) is not needed, and site imports the one it shadows, at its
    # usual time, once the boot directory is off sys.path.
    boot = os.path.join(run.root, "boot")
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != boot]


def _engine_module(name):
    # The engine modules lie beside this one, which may be the run's boot
    # directory, off sys.path by now.
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    try:
        return __import__(name)
    finally:
        sys.path.remove(here)


def _start_coverage(cfg):
    _engine_module("_covkit_coverage").start(cfg, run.root)


def _start_ctrace(cfg):
    # Without coverage.py's compiled tracer for this interpreter, coverage.py
    # itself measures.
    ctrace = _engine_module("_covkit_ctrace")
    tracer = ctrace.load_tracer(cfg)
    if tracer is None:
        run.engine = "coverage"
        _start_coverage(cfg)
        return
    ctrace.start(cfg, tracer)


def lean_unavailable():
    """Why this interpreter cannot run the sys.monitoring lean engine, or None."""
    if sys.version_info < (3, 12) or not hasattr(sys, "monitoring"):
        return "no sys.monitoring before CPython 3.12"
    gil = getattr(sys, "_is_gil_enabled", None)
    if gil is not None and not gil():
        return "free-threaded build"
    return None


def choose_engine(cfg):
    """"lean" (sys.monitoring), "ctrace" (the lean engine before 3.12:
    coverage.py's compiled tracer, covkit's data) or "coverage". covrun has
    decided what the run needs (engine=lean|coverage|auto); only the
    interpreter's own abilities are left to decide here."""
    want = cfg.get("engine", "coverage")
    if want == "coverage":
        return "coverage"
    why = lean_unavailable()
    if why is None:
        return "lean"
    if sys.version_info < (3, 12):
        return "ctrace"
    if want == "lean":
        log("lean engine unavailable (%s): measured with coverage.py" % why)
    return "coverage"


def switch_context(name):
    """Label what runs from now on with the dynamic context name ("" for
    none), as coverage.py's Coverage.switch_context does; covkit's pytest
    plugin calls it at each test phase."""
    try:
        if run.switch is not None:
            run.switch(name)
    except Exception:
        log_exc("switch_context")


CONTEXT_ENV = "COVKIT_CONTEXT"


def label_test(name):
    """Label what runs from now on, here and in the processes started from
    now on, with test name ("" for none)."""
    if name:
        os.environ[CONTEXT_ENV] = name
    else:
        os.environ.pop(CONTEXT_ENV, None)
    switch_context(name)


def watch_unittest():
    """Label each unittest test with its id (test_mod.TestX.test_y) while
    it runs, once the program has imported unittest (nothing is imported
    for it)."""
    try:
        after_import("unittest.case", _patch_unittest)
    except Exception:
        log_exc("watch_unittest")


def _patch_unittest(case):
    # TestCase.run labels its test.
    tc = getattr(case, "TestCase", None)
    orig = tc.__dict__.get("run") if tc is not None else None
    if orig is None or getattr(orig, "__covkit__", False):
        return

    def run(self, result=None):
        # A test that already owns what runs (pytest's phase, or the test
        # that started this process) keeps it.
        if os.environ.get(CONTEXT_ENV):
            return orig(self, result)
        try:
            name = self.id()
        except Exception:
            return orig(self, result)
        label_test(name)
        try:
            return orig(self, result)
        finally:
            label_test("")

    for a in ("__module__", "__name__", "__qualname__", "__doc__"):
        setattr(run, a, getattr(orig, a, None))
    run.__wrapped__ = orig
    run.__covkit__ = True
    tc.run = run


def static_context(cfg):
    """This process's static context: its command line (covrun --contexts
    process), or the test during which it was started (--contexts test)."""
    kind = cfg.get("contexts")
    if kind == "process":
        return _cmdline()
    if kind == "test":
        return os.environ.get("COVKIT_CONTEXT", "")
    return ""


class _ImportWatch:
    """A meta path finder that finds nothing itself: it runs a function on
    a watched module right after the module's first import."""

    def __init__(self):
        self.hooks = {}  # module name -> function(module)

    def find_spec(self, name, path=None, target=None):
        fn = self.hooks.pop(name, None)
        if fn is None:
            return None
        try:
            spec = self._others_spec(name, path, target)
        except Exception:
            # The import goes on as if this finder were not there.
            log_exc("finding %s" % name)
            return None
        if spec is None:
            return None
        loader = spec.loader
        exec_module = getattr(loader, "exec_module", None)
        if exec_module is None:
            return spec

        def covkit_exec_module(module):
            exec_module(module)
            try:
                fn(module)
            except Exception:
                log_exc("after import of %s" % name)

        # Loaders of source files are made per module: this shadows the
        # method on this one loader only.
        loader.exec_module = covkit_exec_module
        if not self.hooks:
            # Safe now: the import system stops at the spec returned.
            sys.meta_path.remove(self)
        return spec

    def _others_spec(self, name, path, target):
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            if finder is self or find is None:
                continue
            spec = find(name, path, target)
            if spec is not None:
                return spec
        return None


def save_first(name, orig, save):
    """orig, calling save() first: os._exit and exec* end the process (or
    its image) without running atexit."""

    def covkit_patch(*args, **kwargs):
        save()
        return orig(*args, **kwargs)

    covkit_patch.__name__ = name
    covkit_patch.__wrapped__ = orig
    return covkit_patch


def patch_exec(save):
    """os.exec* and the POSIX os.spawn* all end in execv or execve: save first."""
    for name in ("execv", "execve"):
        orig = getattr(os, name, None)
        if orig is not None:
            setattr(os, name, save_first(name, orig, save))


def after_import(name, fn):
    """Run fn(module) once the module named is imported (now, if it is)."""
    mod = sys.modules.get(name)
    if mod is not None:
        fn(mod)
        return
    for finder in sys.meta_path:
        if isinstance(finder, _ImportWatch):
            break
    else:
        finder = _ImportWatch()
        sys.meta_path.insert(0, finder)
    finder.hooks[name] = fn


class _SavingQueue:
    """A Pool worker's result queue that saves the worker's data first."""

    __slots__ = ("_queue", "_save")

    def __init__(self, queue, save):
        self._queue, self._save = queue, save

    def put(self, obj):
        self._save()
        self._queue.put(obj)

    def __getattr__(self, name):
        return getattr(self._queue, name)


def patch_pool_workers(save):
    """A multiprocessing.Pool worker process calls save() before it hands
    back each result. Pool.terminate(), and so leaving a `with Pool()`
    block, kills its workers with SIGTERM, which would take the data of an
    engine that writes at exit with them (covkit installs no SIGTERM
    handler: one delays the death of a process busy in C code); once the
    parent has a result, the lines that made it are on disk. save() writes
    only when lines were added since it last did."""

    def patch(pool):
        orig = getattr(pool, "worker", None)
        if orig is None or getattr(orig, "__wrapped__", None) is not None:
            return

        def worker(inqueue, outqueue, *args, **kwargs):
            # A ThreadPool's workers are threads of this process, whose
            # data is saved at its exit: only processes get a saving queue.
            if hasattr(outqueue, "_reader"):
                outqueue = _SavingQueue(outqueue, save)
            return orig(inqueue, outqueue, *args, **kwargs)

        # Pickled by name for spawned workers, which import their own
        # (patched, when measured) multiprocessing.pool.worker.
        worker.__module__, worker.__name__, worker.__qualname__ = orig.__module__, orig.__name__, orig.__qualname__
        worker.__wrapped__ = orig
        pool.worker = worker

    after_import("multiprocessing.pool", patch)


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


# ---------------------------------------------------------------------------
# Which files the interpreter itself installed: coverage.py leaves the
# standard library and third-party directories of every sysconfig scheme
# unmeasured unless configured otherwise. Computing them costs ~10 ms
# (sysconfig), so covrun computes them once per interpreter it knows, and a
# process of any other interpreter computes them once for its siblings.

INTERP_KEYS = ("pylib", "third", "pylib_mods", "third_posix")


def interp_key():
    return (sys.implementation.cache_tag or "python") + "%" + sys.prefix.replace("/", "%")


def interp_facts():
    """This interpreter's own directories, as each coverage.py generation
    sees them: since 7.13.1 the standard library ("pylib") and third-party
    ("third") directories of every sysconfig scheme; before, the directories
    of a few standard modules ("pylib_mods") and the third-party directories
    of the schemes named for the OS ("third_posix")."""
    import sysconfig
    facts = {k: set() for k in INTERP_KEYS}
    for scheme in sysconfig.get_scheme_names():
        paths = sysconfig.get_paths(scheme)
        posix = os.name in scheme.split("_")
        for name in ("stdlib", "platstdlib"):
            if name in paths:
                facts["pylib"].add(paths[name])
        for name in ("platlib", "purelib", "scripts"):
            if name in paths:
                facts["third"].add(paths[name])
                if posix:
                    facts["third_posix"].add(paths[name])
    # coverage.py's own imports, located but not imported here.
    import importlib.util
    for name in ("inspect", "os", "platform", "re", "sysconfig", "traceback"):
        spec = importlib.util.find_spec(name)
        f = spec.origin if spec is not None else None
        if f and os.path.isabs(f):
            facts["pylib_mods"].add(os.path.dirname(os.path.realpath(_source_for(f))))
    return {k: sorted(v) for k, v in facts.items()}


def _interp_skip(facts, cfg):
    # The directories the run's coverage.py version leaves unmeasured by
    # default: (standard library, third-party).
    if cfg.get("rules") == "mods":
        return facts["pylib_mods"], facts["third_posix"]
    return facts["pylib"], facts["third"]


def _load_interp(root):
    path = os.path.join(root, "interp", interp_key())
    kv = _read_kv(path)
    if kv is not None and all(k in kv for k in INTERP_KEYS):
        return {k: [p for p in kv[k].split("\0") if p] for k in INTERP_KEYS}
    facts = interp_facts()
    try:
        tmp = "%s.%d.tmp" % (path, os.getpid())
        text = "".join("%s=%s\n" % (k, "\0".join(facts[k])) for k in INTERP_KEYS)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        try:
            os.write(fd, text.encode("utf-8", "surrogateescape"))
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError:
        pass
    return facts


# ---------------------------------------------------------------------------
# The lean engine.
#
# The data file is a header followed by 64-bit little-endian slots, each
# self-describing (kind in the top 4 bits, a file id in the next 20); a
# zero slot was never written. Slots are taken from an atomic counter, so
# threads never need a lock to record a line:
#   1 LINE    fid, line number (40 bits)
#   2 PATH    fid, 5 bytes of the file's path (in slot order)
#   3 MODULE  fid, 5 bytes of the file's module name
#   4 FILE    fid, path length (20 bits), module name length (20 bits):
#             written after the file's name slots, before any of its lines
#   5 CTXNAME context id (in the fid bits), 5 bytes of a context's name
#   6 CONTEXT context id, name length: after its CTXNAME slots
#   7 SWITCH  context id: lines after it ran in that context (0: none)
# The file grows by doubling, with space reserved (posix_fallocate) before
# it is mapped, so a full disk stops recording instead of raising SIGBUS.

LEAN_MAGIC = b"COVKITL\x01"
KIND_LINE, KIND_PATH, KIND_MODULE, KIND_FILE = 1, 2, 3, 4
KIND_CTXNAME, KIND_CONTEXT, KIND_SWITCH = 5, 6, 7
INITIAL_SLOTS = 8192  # 64 KB


def _split(value, sep="\0"):
    return tuple(p for p in (value or "").split(sep) if p)


def _dir_prefixes(dirs):
    out = []
    for d in dirs:
        d = d.rstrip("/") + "/"
        if d not in out:
            out.append(d)
    return tuple(out)


def _cmdline():
    try:
        with open("/proc/self/cmdline", "rb") as f:
            args = f.read().split(b"\0")
        if args and args[-1] == b"":
            args.pop()
        return " ".join(a.decode("utf-8", "replace") for a in args)
    except OSError:
        return " ".join(getattr(sys, "orig_argv", sys.argv))


def _source_for(filename):
    # coverage.py attributes bytecode files to the source beside them.
    if filename.endswith((".pyc", ".pyo")):
        return filename[:-1]
    return filename


def _module_name(g):
    name = g.get("__name__")
    if isinstance(name, str) and name != "__main__":
        return name
    spec = g.get("__spec__")
    sname = getattr(spec, "name", None)
    if isinstance(sname, str) and sname != "__main__":
        return sname
    return ""  # covkit derives it from the file name, as coverage.py does


def _venv_dirs(paths, cache):
    # coverage.py counts an importable directory inside a virtualenv (an
    # ancestor holds pyvenv.cfg) as a third-party location.
    out = []
    for d in paths:
        if not isinstance(d, str):
            continue
        v = cache.get(d)
        if v is None:
            v = False
            if os.path.exists(d):
                p = d
                while True:
                    p = os.path.dirname(p)
                    if p == os.path.dirname(p):
                        break
                    if os.path.exists(os.path.join(p, "pyvenv.cfg")):
                        v = True
                        break
            cache[d] = v
        if v:
            out.append(d)
    return out


class Selection:
    """coverage.py's choice of the files to measure, as far as a measured
    process makes it (covkit's filesel makes it exactly at merge time, on
    canonical paths): one per process, shared by the engines' tracers."""

    def __init__(self, cfg):
        self.mode = cfg.get("sel", "default")
        self.src = _dir_prefixes(_split(cfg.get("src")))
        self.pkgs = _split(cfg.get("pkgs"), ",")
        self.pkg_prefixes = tuple(p + "." for p in self.pkgs)
        here = os.path.dirname(os.path.abspath(__file__))
        self.own = (os.path.join(here, "_covkit_"), os.path.join(run.root, "boot") + "/")
        self.pylib, self.third = [], []
        self.venv_rule = cfg.get("rules", "venv") == "venv"
        skip = ()
        if self.mode == "default":
            self.pylib, self.third = _interp_skip(_load_interp(run.root), cfg)
            skip = _dir_prefixes(_split(cfg.get("skip")) + tuple(self.third) +
                                 (() if cfg.get("cover_pylib") == "1" else tuple(self.pylib)))
        self.skip_fixed = skip
        # Files no process of this run measures, whatever else holds:
        # artificial names, and with the default selection the
        # interpreter's own directories.
        self.fast_skip = ("<",) + skip
        self._skip = skip
        # "*/DIR/*" omit patterns: a file whose canonical path holds /DIR/
        # is omitted whatever else holds (covrun found them in Go).
        self.omit_dirs = tuple("/%s/" % d for d in _split(cfg.get("omit_dirs")))
        self._syspath = None
        self._venv_cache = {}

    def header(self, cfg):
        """The data file header's facts about the process and its choice."""
        return {
            "python": "%d.%d.%d" % sys.version_info[:3],
            "impl": sys.implementation.name,
            "coverage": cfg.get("coverage", ""),
            "sel": self.mode,
            "pylib": "\0".join(self.pylib),
            "third": "\0".join(self.third),
            "cover_pylib": cfg.get("cover_pylib", ""),
            "context": static_context(cfg),
        }

    def _skip_list(self):
        # sys.path decides which directories are virtualenvs' (coverage.py
        # checks again whenever it changes).
        if self.venv_rule and sys.path != self._syspath:
            self._syspath = list(sys.path)
            self._skip = self.skip_fixed + _dir_prefixes(_venv_dirs(sys.path, self._venv_cache))
        return self._skip

    def select(self, filename, frame):
        """(path, module) to measure, or None."""
        if not filename or filename[0] == "<" or filename.startswith("memory:"):
            return None
        g = frame.f_globals if frame is not None else None
        path = filename
        if g:
            dunder = g.get("__file__")
            if dunder:
                alt = _source_for(str(dunder))
                if os.path.basename(alt) == os.path.basename(filename):
                    path = alt
        if not path or path[0] == "<":
            return None
        if not os.path.isabs(path):
            for d in [os.curdir] + sys.path:
                if isinstance(d, str) and os.path.exists(os.path.join(d, path)):
                    path = os.path.join(d, path)
                    break
        # coverage.py matches canonical paths: "a/../b" is "b" (symlinks are
        # resolved afterwards, by covkit).
        path = os.path.abspath(path)
        if path.startswith(self.own) or os.path.basename(path).startswith("_covkit_"):
            return None  # covkit's own modules, wherever they were imported from
        module = _module_name(g) if g else ""
        if self.mode == "default":
            if path.startswith(self._skip_list()):
                return None
        elif self.mode == "source":
            if not (path.startswith(self.src) or module in self.pkgs or module.startswith(self.pkg_prefixes)):
                return None
        if self.omit_dirs and self._omitted(path):
            return None
        return path, module

    def _omitted(self, path):
        # coverage.py matches the canonical path: a file is skipped only if
        # that holds an omitted directory (the merge drops the rest).
        for d in self.omit_dirs:
            if d in path:
                real = os.path.realpath(path)
                return any(d in real for d in self.omit_dirs)
        return False


def data_header(kv):
    """A lean data file's header for the facts in kv (and this process)."""
    kv = dict(kv, pid=str(os.getpid()), ppid=str(os.getppid()))
    text = "".join("%s=%s\n" % (k, kv[k]) for k in sorted(kv)).encode("utf-8", "surrogateescape")
    pad = (-(16 + len(text))) % 8
    return LEAN_MAGIC + len(text).to_bytes(4, "little") + bytes(4) + text + bytes(pad)


def name_slots(kind, fid, data):
    """The slots that spell data (bytes) for file (or context) fid."""
    return [(kind << 60) | (fid << 40) | int.from_bytes(data[j:j + 5], "little") for j in range(0, len(data), 5)]


def data_file_name(data_dir):
    """A new data file name for this process in data_dir."""
    name = ".covkit.%s.pid%d.X%sx" % (os.uname().nodename, os.getpid(), os.urandom(4).hex())
    return os.path.join(data_dir, name)


def _start_lean(cfg):
    mon = sys.monitoring
    for tool in (3, 4, 2, 1, 0, 5):
        try:
            mon.use_tool_id(tool, "covkit")
            break
        except ValueError:
            continue
    else:
        log("lean engine: no free sys.monitoring tool id; not measured")
        return
    on_start, on_line, run.switch = _lean_recorder(cfg, mon, tool)
    mon.register_callback(tool, mon.events.PY_START, on_start)
    mon.register_callback(tool, mon.events.LINE, on_line)
    mon.set_events(tool, mon.events.PY_START)


def _lean_recorder(cfg, mon, tool):
    """The lean engine's state and callbacks, in one closure."""
    import itertools
    import _thread
    # Imported now, not when the first file is measured: an import under
    # measurement runs the interpreter's import hooks (setuptools'
    # _distutils_hack, for one), whose lines would be recorded.
    import mmap

    DISABLE = mon.DISABLE
    LINE = mon.events.LINE
    set_local_events = mon.set_local_events
    getframe = sys._getframe
    MISSING = object()

    data_dir = cfg["data"]
    sel = Selection(cfg)
    header_kv = sel.header(cfg)
    fast_skip = sel.fast_skip
    lock = _thread.RLock()
    files = {}  # co_filename -> line slot prefix, or None: not measured
    fids = {}  # id(code) -> line slot prefix of its file
    keep = []  # the measured code objects, so their ids stay theirs
    blob = bytearray()  # every name slot written so far (a fork replays them)
    st = {"nfiles": 0, "path": None, "full": False, "ctx": 0}
    ctx_ids = {"": 0}  # dynamic context name -> id
    fd = -1
    maps = []  # every mapping made: a late writer may still hold an old one
    mv = None
    cap = 0
    take = None

    def create():
        # A data file of this process's own, with the names already known.
        nonlocal fd, mv, cap, take
        path = data_file_name(data_dir)
        f = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o640)
        head = data_header(header_kv)
        used = (len(head) + len(blob)) // 8
        size = INITIAL_SLOTS
        while size < used * 2:
            size *= 2
        try:
            os.posix_fallocate(f, 0, size * 8)
            m = mmap.mmap(f, size * 8)
        except BaseException:
            os.close(f)
            raise
        m[0:len(head)] = head
        m[len(head):len(head) + len(blob)] = blob
        maps.append(m)
        fd, mv, cap = f, memoryview(m).cast("Q"), size
        take = itertools.count(used).__next__
        st["path"] = path
        if st["ctx"]:
            put((KIND_SWITCH << 60) | (st["ctx"] << 40))

    def grow(i):
        nonlocal mv, cap
        with lock:
            while i >= cap:
                if st["full"]:
                    raise OSError("covkit data file cannot grow")
                try:
                    os.posix_fallocate(fd, 0, cap * 16)
                    m = mmap.mmap(fd, cap * 16)
                except BaseException:
                    stop("cannot grow %s" % st["path"])
                    raise
                maps.append(m)
                mv, cap = memoryview(m).cast("Q"), cap * 2

    def stop(why):
        # Disk full or similar: stop recording, never disturb the program.
        st["full"] = True
        log_exc("lean engine stopped: " + why)
        try:
            mon.set_events(tool, 0)
            for c in keep:
                set_local_events(tool, c, 0)
        except BaseException:
            pass

    def put(slot):
        i = take()
        if i >= cap:
            grow(i)
        mv[i] = slot

    def put_name(kind, fid, data):
        for slot in name_slots(kind, fid, data):
            put(slot)
            blob.extend(slot.to_bytes(8, "little"))

    def register(path, module):
        fid = st["nfiles"]
        if fid >= 1 << 20:
            return None
        if mv is None:
            create()
        p = path.encode("utf-8", "surrogateescape")
        m = module.encode("utf-8", "surrogateescape")
        if len(p) >= 1 << 20 or len(m) >= 1 << 20:
            return None
        put_name(KIND_PATH, fid, p)
        put_name(KIND_MODULE, fid, m)
        commit = (KIND_FILE << 60) | (fid << 40) | (len(p) << 20) | len(m)
        put(commit)
        blob.extend(commit.to_bytes(8, "little"))
        st["nfiles"] = fid + 1
        return (KIND_LINE << 60) | (fid << 40)

    def switch(name):
        # Lines run from here on belong to context name: a SWITCH slot, and
        # every line may report again (coverage.py records a line once per
        # context).
        with lock:
            if st["full"]:
                return
            if mv is None:
                create()
            cid = ctx_ids.get(name)
            if cid is None:
                cid = len(ctx_ids)
                if cid >= 1 << 20:
                    return
                data = name.encode("utf-8", "surrogateescape")[:(1 << 20) - 1]
                put_name(KIND_CTXNAME, cid, data)
                commit = (KIND_CONTEXT << 60) | (cid << 40) | len(data)
                put(commit)
                blob.extend(commit.to_bytes(8, "little"))
                ctx_ids[name] = cid
            st["ctx"] = cid
            put((KIND_SWITCH << 60) | (cid << 40))
        mon.restart_events()

    def decide(code, frame):
        fn = code.co_filename
        with lock:
            prefix = files.get(fn, MISSING)
            if prefix is MISSING:
                prefix = None
                if not st["full"]:
                    chosen = sel.select(fn, frame)
                    if chosen is not None:
                        try:
                            prefix = register(*chosen)
                        except OSError:
                            # No data file (the data directory is gone or
                            # full): record nothing rather than fail again
                            # at every new function.
                            stop("cannot record %s" % fn)
                files[fn] = prefix
            return prefix

    def on_start(code, offset):
        try:
            fn = code.co_filename
            prefix = files.get(fn, MISSING)
            if prefix is MISSING:
                if fn.startswith(fast_skip):
                    # Most new files of a process are the standard library's:
                    # left out on their name alone.
                    files[fn] = None
                    return DISABLE
                prefix = decide(code, getframe(1))
            if prefix is not None and code.co_name != "__annotate__":
                fids[id(code)] = prefix
                keep.append(code)
                set_local_events(tool, code, LINE)
        except Exception:
            log_exc("lean engine: PY_START")
        return DISABLE

    def on_line(code, line):
        try:
            i = take()
            if i >= cap:
                grow(i)
            mv[i] = fids[id(code)] | line
        except Exception:
            pass
        return DISABLE

    def after_fork_in_child():
        # The child must not write into its parent's mapping: it gets a
        # file of its own, with the names replayed, before it runs on.
        nonlocal lock, mv, cap
        lock = _thread.RLock()
        if mv is None or st["full"]:
            return
        mv, cap = None, 0
        try:
            create()
        except BaseException:
            stop("no data file after fork")

    os.register_at_fork(after_in_child=after_fork_in_child)
    return on_start, on_line, switch
