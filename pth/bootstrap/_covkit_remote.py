# covkit remote client: a process on another host (a pod, a container on a
# remote Docker host) measures itself and pushes its data to the run's
# collector (covrun --collect), because no directory is shared with it.
# Written by covdocker build beside covkit's hook, with its own one-line
# hook (covkit-remote.pth), which imports this module only when
# COVKIT_COLLECT is set: otherwise it costs one environment lookup.
# Compatible with CPython 3.9+.
#
# COVKIT_COLLECT=http(s)://HOST:PORT and COVKIT_TOKEN=<the run's token> turn
# it on; COVKIT_CHECKPOINT=1s sets how often it pushes while the process
# runs (default 30s); COVKIT_COLLECT_CA names a CA file for https;
# COVKIT_ENGINE=coverage has coverage.py measure instead of the lean engine.
#
# It makes a covkit run of the process's own in a local directory (the
# hook that follows, covkit.pth, measures the process into it, with
# whatever engine suits the interpreter) and runs one daemon thread that
# long-polls the collector: it pushes the process's data files when the
# collector asks (covrun is about to report), at every checkpoint, and at
# exit (atexit and os._exit). A process killed by a signal it does not
# handle loses what it ran since its last push. It never prints, never
# raises into the program and never changes how the process ends: the
# collector being unreachable costs a retry with backoff, nothing else, and
# memory stays bounded (the data is the file on disk; one is read at a
# time).

import os
import sys

ENV_URL = "COVKIT_COLLECT"
ENV_TOKEN = "COVKIT_TOKEN"
ENV_CHECKPOINT = "COVKIT_CHECKPOINT"
ENV_CA = "COVKIT_COLLECT_CA"
ENV_RUN = "COVKIT_RUN"
ENV_LOCAL = "COVKIT_REMOTE_RUN"  # the local run this client made
IMAGE_FILE = "_covkit_image.json"
DEFAULT_INTERVAL = 30.0
MAX_BACKOFF = 60.0
CONNECT_TIMEOUT = 2.0
LOG_LIMIT = 50


class _Client:
    """Everything the client keeps, in one object."""

    root = None  # the local run directory
    data = None  # its data directory
    url = None  # (scheme, host, port)
    token = ""
    interval = DEFAULT_INTERVAL
    host = ""
    instance = ""
    image = None  # bytes: the image's path mapping, JSON
    gen = 0  # the last flush generation answered
    sent = None  # data file name -> (size, crc) at its last push
    seq = None  # push sequence numbers
    lock = None  # one push at a time
    fails = 0  # consecutive failures
    logged = 0
    done = False  # the final push has run
    term_handler = None  # covkit's SIGTERM handler of a PID 1
    thread = None  # the pusher thread
    stop = None  # its stop event
    conn = None  # its connection
    restart = False  # stopped for a fork: start again after it
    next_push = None  # when the next checkpoint push is due (monotonic)


client = _Client()


def start():
    """Called by covkit-remote.pth at start-up when COVKIT_COLLECT is set."""
    try:
        _start()
    except BaseException:
        _log_exc("remote client start")


def _start():
    env = os.environ
    url = _parse_url(env.get(ENV_URL, ""))
    token = env.get(ENV_TOKEN, "")
    if url is None or not token:
        return
    run = env.get(ENV_RUN)
    if run is not None and run != env.get(ENV_LOCAL):
        return  # a covkit run on this host measures the process
    root = run if run and os.path.isfile(os.path.join(run, "run.cfg")) else None
    image = _read_image()
    interval = _interval(env.get(ENV_CHECKPOINT, ""))
    if root is None:
        root = _make_run(image)
        if root is None:
            return
        # The hook after this one (covkit.pth) measures the process into
        # the local run; children inherit it.
        env[ENV_RUN] = root
        env[ENV_LOCAL] = root
        # A hook met earlier (another site directory's) may have looked for
        # a run already, and found none: covkit.pth looks again.
        boot = sys.modules.get("_covkit_bootstrap")
        if boot is not None and boot.run.started and boot.run.root is None:
            boot.run.started = False
    c = client
    c.root, c.data, c.url, c.token, c.interval = root, os.path.join(root, "data"), url, token, interval
    c.image = image
    c.host = os.uname().nodename
    _new_process()
    # What the pusher needs is imported now, before measuring starts: an
    # import under measurement would run other packages' import hooks.
    import atexit
    import http.client  # noqa: F401
    import json  # noqa: F401
    import threading
    import time  # noqa: F401
    import zlib  # noqa: F401
    if url[0] == "https":
        import ssl  # noqa: F401
    c.lock = threading.Lock()
    atexit.register(_at_exit)
    _patch_exit()
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_in_parent,
                            after_in_child=_after_fork_in_child)
    _guard_pid1_sigterm()
    _start_thread()


def _parse_url(s):
    scheme, sep, rest = s.partition("://")
    if not sep or scheme not in ("http", "https"):
        return None
    hostport = rest.split("/", 1)[0]
    host, port = hostport, 443 if scheme == "https" else 80
    if hostport.startswith("["):
        end = hostport.find("]")
        host, tail = hostport[1:end], hostport[end + 1:]
        if tail.startswith(":"):
            port = int(tail[1:])
    elif ":" in hostport:
        host, p = hostport.rsplit(":", 1)
        port = int(p)
    if not host:
        return None
    return scheme, host, port


def _interval(s):
    # "1s", "500ms", "2m", "1.5" (seconds); anything else: the default.
    s = s.strip()
    try:
        for suffix, scale in (("ms", 0.001), ("s", 1.0), ("m", 60.0)):
            if s.endswith(suffix):
                v = float(s[:-len(suffix)]) * scale
                break
        else:
            v = float(s)
    except ValueError:
        return DEFAULT_INTERVAL
    return v if v > 0 else DEFAULT_INTERVAL


def _read_image():
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        with open(os.path.join(here, IMAGE_FILE), "rb") as f:
            return f.read()
    except OSError:
        return None


def _coverage_version(image):
    # The coverage.py covdocker found for this interpreter (its rules decide
    # which files are the interpreter's own), from the image's description.
    if not image:
        return ""
    try:
        import json
        for py in json.loads(image.decode("utf-8")).get("pythons") or ():
            if py.get("prefix") == sys.prefix:
                v = py.get("coverage") or ""
                return v if v[:1].isdigit() else ""
    except Exception:
        pass
    return ""


def _rules(version):
    try:
        v = tuple(int(x) for x in version.split(".")[:3])
    except ValueError:
        return "venv"
    if len(v) < 2:
        return "venv"
    if v < (7, 13, 1):
        return "mods"
    if v < (7, 13, 3):
        return "sysconfig"
    return "venv"


def _engine():
    # COVKIT_ENGINE=coverage has coverage.py measure (as covrun --engine
    # coverage); auto (the default) uses the lean engine where it can.
    e = os.environ.get("COVKIT_ENGINE", "auto")
    return e if e in ("auto", "lean", "coverage") else "auto"


def _make_run(image):
    base = os.environ.get("COVKIT_REMOTE_DIR") or os.environ.get("TMPDIR") or "/tmp"
    root = os.path.join(base, "covkit-remote-%d-%d-%s" % (os.getuid(), os.getpid(), os.urandom(4).hex()))
    try:
        os.mkdir(root, 0o700)
        for d in ("data", "log", "interp"):
            os.mkdir(os.path.join(root, d), 0o700)
    except OSError:
        return None
    version = _coverage_version(image)
    cfg = {
        "data": os.path.join(root, "data"),
        "owner": "0",
        "engine": _engine(),
        "sel": "default",
        "coverage": version,
        "rules": _rules(version),
    }
    text = "".join("%s=%s\n" % (k, cfg[k]) for k in sorted(cfg))
    fd = os.open(os.path.join(root, "run.cfg"), os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        os.write(fd, text.encode("utf-8", "surrogateescape"))
    finally:
        os.close(fd)
    return root


def _new_process():
    import itertools
    client.instance = os.urandom(8).hex()
    client.sent = {}
    client.seq = itertools.count(1).__next__
    client.next_push = None
    client.gen = 0
    client.fails = 0
    client.done = False


def _start_thread():
    import threading
    stop = threading.Event()
    t = threading.Thread(target=_loop, args=(stop,), name="covkit-remote", daemon=True)
    client.thread, client.stop, client.conn = t, stop, None
    t.start()


def _before_fork():
    # CPython 3.12+ warns (on stderr, from __main__) about os.fork in a
    # process with more than one thread, and the pusher is one: it stops
    # before the fork (its long-poll cut short) and starts again after it,
    # in the parent and in the child. subprocess does not fork this way.
    try:
        t, stop = client.thread, client.stop
        if t is None:
            return
        client.thread = None
        stop.set()
        sock = getattr(client.conn, "sock", None)
        if sock is not None:
            import socket
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        t.join(3.0)
        tid = getattr(t, "native_id", None)
        if tid and not t.is_alive():
            # join returns before the OS thread is gone, and CPython counts
            # the threads in /proc/self/stat.
            import time
            for _ in range(2000):
                if not os.path.exists("/proc/self/task/%d" % tid):
                    break
                time.sleep(0.0005)
        client.restart = True
    except BaseException:
        _log_exc("remote client before fork")


def _after_fork_in_parent():
    try:
        if client.restart:
            client.restart = False
            _start_thread()
    except BaseException:
        _log_exc("remote client after fork")


def _after_fork_in_child():
    # The child is a process of its own: its data goes under its own
    # instance, from a thread of its own.
    try:
        import threading
        _unguard_sigterm()
        _new_process()
        client.lock = threading.Lock()
        client.restart = False
        _start_thread()
    except BaseException:
        _log_exc("remote client after fork")


# ---------------------------------------------------------------------------
# The pusher thread.

def _loop(stop):
    # Nothing may escape into threading's excepthook (stderr), even at
    # interpreter shutdown.
    try:
        _pusher(stop)
    except BaseException:
        pass


def _pusher(stop):
    import time
    conn = None
    if client.next_push is None:
        # Kept across restarts: a process that forks often still pushes
        # on time.
        client.next_push = time.monotonic() + client.interval
    while not client.done and not stop.is_set():
        try:
            if conn is None:
                conn = _connect(min(client.interval, 50.0) + 10)
                client.conn = conn
                if stop.is_set():
                    break
            gen = _wait(conn, max(0.0, min(client.next_push - time.monotonic(), 50.0)))
            if gen > client.gen:
                _push(conn, flush=gen)
                client.gen = gen
            elif gen < client.gen:
                client.gen = gen  # another collector (restarted): its numbering
            if time.monotonic() >= client.next_push:
                _push(conn)
                client.next_push = time.monotonic() + client.interval
            client.fails = 0
        except Exception as e:
            _close(conn)
            conn = None
            if stop.is_set():
                break
            client.fails += 1
            _log("remote client: %s: %r" % (_where(), e))
            # Backoff with jitter; the data stays on disk meanwhile.
            # A client that pushes often comes back soon after the network does.
            cap = min(MAX_BACKOFF, max(2 * client.interval, 5.0))
            delay = min(cap, 0.5 * 2 ** min(client.fails, 8))
            stop.wait(delay * (0.5 + int.from_bytes(os.urandom(1), "big") / 510.0))
    _close(conn)


def _where():
    return "%s://%s:%d" % client.url


def _connect(timeout):
    # Connected here, within a short time (a fork may be waiting for the
    # pusher to stop, and a connect cannot be cut short); reads then wait
    # up to timeout.
    import http.client
    scheme, host, port = client.url
    if scheme == "https":
        import ssl
        ctx = ssl.create_default_context(cafile=os.environ.get(ENV_CA) or None)
        conn = http.client.HTTPSConnection(host, port, timeout=min(timeout, CONNECT_TIMEOUT), context=ctx)
    else:
        conn = http.client.HTTPConnection(host, port, timeout=min(timeout, CONNECT_TIMEOUT))
    try:
        conn.connect()
        conn.sock.settimeout(timeout)
    except BaseException:
        _close(conn)
        raise
    return conn


def _close(conn):
    try:
        if conn is not None:
            conn.close()
    except Exception:
        pass


def _request(conn, method, path, body=None):
    import json
    headers = {"Authorization": "Bearer " + client.token}
    if body is not None:
        headers["Content-Type"] = "application/octet-stream"
    conn.request(method, path, body=body, headers=headers)
    resp = conn.getresponse()
    data = resp.read(1 << 16)
    if resp.status != 200:
        raise OSError("collector answered %d %s" % (resp.status, data[:200].decode("utf-8", "replace").strip()))
    return json.loads(data.decode("utf-8") or "{}")


def _wait(conn, t):
    from urllib.parse import quote
    r = _request(conn, "GET", "/v1/wait?gen=%d&t=%.3f&host=%s&instance=%s&pid=%d" % (
        client.gen, t, quote(client.host, safe=""), client.instance, os.getpid()))
    return int(r.get("flush") or 0)


# ---------------------------------------------------------------------------
# Pushing data.

def _file_pid(name):
    # .covkit.HOST.pidN.XRANDx, .coverage.HOST.pidN.XRAND (coverage.py 7),
    # .coverage.HOST.N.RAND (6.x).
    i = name.rfind(".pid")
    if i > 0:
        digits = name[i + 4:].split(".", 1)[0]
    else:
        parts = name.split(".")
        digits = parts[-2] if len(parts) >= 4 else ""
    return int(digits) if digits.isdigit() else 0


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _files():
    """The data files to push: this process's, and those of processes of
    the local run that died without pushing (a SIGKILLed child's)."""
    try:
        names = sorted(os.listdir(client.data))
    except OSError:
        return []
    me = os.getpid()
    out = []
    for n in names:
        if not n.startswith((".covkit.", ".coverage.")) or n.endswith(("-journal", "-wal", "-shm")):
            continue
        pid = _file_pid(n)
        if pid == me or (pid and not _alive(pid)):
            out.append(n)
    return out


def _read(name):
    path = os.path.join(client.data, name)
    cov = sys.modules.get("_covkit_coverage")
    lock = getattr(getattr(cov, "_state", None), "lock", None)
    if name.startswith(".coverage.") and lock is not None and _file_pid(name) == os.getpid():
        with lock:  # never a file coverage.py is halfway through writing
            return _read_file(path)
    return _read_file(path)


def _read_file(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    if data.startswith(b"COVKITL"):
        # The lean engine's file is allocated ahead: send what is written
        # (every slot's last byte holds its kind, never 0).
        n = len(data.rstrip(b"\0"))
        data = data[:(n + 7) // 8 * 8]
    return data


def _push(conn, flush=0, final=False):
    """Send every changed data file; the last request answers flush (and
    says the process is ending): an acknowledgement alone when nothing
    changed."""
    import zlib
    # The final push waits a moment for a push under way (whose connection
    # may hang on a cut network), then goes on without it.
    locked = client.lock.acquire(timeout=1.0) if final else client.lock.acquire()
    try:
        _engine_save()
        todo = []
        me = os.getpid()
        for name in _files():
            if name in client.sent and _file_pid(name) != me:
                continue  # a dead process's file, pushed already: it no longer changes
            data = _read(name)
            if not data:
                continue
            mark = (len(data), zlib.crc32(data))
            if client.sent.get(name) != mark:
                todo.append((name, data, mark))
        if not todo and not (flush or final):
            return
        if not todo:
            todo.append((None, None, None))
        for i, (name, data, mark) in enumerate(todo):
            last = i == len(todo) - 1
            _request(conn, "POST", "/v1/push", _envelope(name, data, flush if last else 0, final and last))
            if name is not None:
                client.sent[name] = mark
    finally:
        if locked:
            client.lock.release()


def _engine_save():
    # The lean engine's file is always current; the others write theirs
    # when asked (no checkpoint thread of their own: the pusher asks).
    try:
        m = sys.modules.get("_covkit_ctrace")
        if m is not None and getattr(m._state, "tracer", None) is not None:
            m.save()
        m = sys.modules.get("_covkit_coverage")
        if m is not None and getattr(m._state, "cov", None) is not None:
            m._checkpoint()
    except Exception:
        _log_exc("remote client: saving before a push")


def _envelope(name, data, flush, final):
    head = ["covkit-push 1", "host=" + _clean(client.host), "instance=" + client.instance,
            "pid=%d" % os.getpid(), "seq=%d" % client.seq(), "flush=%d" % flush]
    if name is not None:
        head.append("file=" + _clean(name))
    if final:
        head.append("final=1")
    if client.image:
        import json
        try:
            head.append("image=" + json.dumps(json.loads(client.image.decode("utf-8")), separators=(",", ":")))
        except Exception:
            pass
    return ("\n".join(head) + "\n\n").encode("utf-8", "replace") + (data or b"")


def _clean(s):
    return "".join(ch if " " <= ch < "\x7f" else "?" for ch in s)[:255]


# ---------------------------------------------------------------------------
# The end of the process.

def _final_push():
    c = client
    if c.done or c.root is None or c.lock is None:
        return
    c.done = True
    # Bounded: an unreachable collector delays the exit by a second at most.
    conn = None
    try:
        conn = _connect(0.5 if c.fails else 2.0)
        _push(conn, flush=c.gen, final=True)
    except BaseException as e:
        _log("remote client: final push to %s: %r" % (_where(), e))
    finally:
        _close(conn)


def _at_exit():
    try:
        _final_push()
    except BaseException:
        pass


def _guard_pid1_sigterm():
    # A container's PID 1 ignores the signals it has no handler for:
    # SIGTERM (docker stop, a pod's deletion) does not end a Python PID 1
    # that leaves it at its default; SIGKILL does, at the end of the grace
    # period. A handler that only starts a push, and then lets the process
    # go on as it would have, changes nothing about how it ends, and gets
    # its data out before the SIGKILL. Any other process keeps SIGTERM as
    # it is: a Python handler would delay its death.
    if os.getpid() != 1:
        return
    import signal
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return

    def covkit_pid1_sigterm(signum, frame):
        try:
            import threading
            threading.Thread(target=_push_once, name="covkit-remote-term", daemon=True).start()
        except BaseException:
            pass

    client.term_handler = covkit_pid1_sigterm
    signal.signal(signal.SIGTERM, covkit_pid1_sigterm)


def _unguard_sigterm():
    # A forked child of PID 1 is not PID 1: SIGTERM must end it at once.
    h = getattr(client, "term_handler", None)
    if h is None:
        return
    try:
        import signal
        if signal.getsignal(signal.SIGTERM) is h:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
    except BaseException:
        pass
    client.term_handler = None


def _push_once():
    conn = None
    try:
        conn = _connect(2.0)
        _push(conn, flush=client.gen)
    except BaseException as e:
        _log("remote client: push on SIGTERM to %s: %r" % (_where(), e))
    finally:
        _close(conn)


def _patch_exit():
    # os._exit skips atexit: push first. (The coverage.py engine, started
    # later, wraps this in turn and saves before it.)
    real = os._exit

    def covkit_remote_exit(*args, **kwargs):
        try:
            _final_push()
        except BaseException:
            pass
        return real(*args, **kwargs)

    os._exit = covkit_remote_exit


# ---------------------------------------------------------------------------
# Logging, into the local run's log directory, never stderr; bounded.

def _log(msg):
    c = client
    if c.root is None or c.logged >= LOG_LIMIT:
        return
    c.logged += 1
    try:
        # Beside this module; imported by the hook that runs next anyway.
        import _covkit_bootstrap
        _covkit_bootstrap.append_log(os.path.join(c.root, "log", "remote.%d.log" % os.getpid()), msg)
    except BaseException:
        pass


def _log_exc(what):
    try:
        import traceback
        _log(what + ":\n" + traceback.format_exc())
    except BaseException:
        pass
