# covkit's pytest plugin, loaded through PYTEST_PLUGINS in every covrun run.
# Written by covkit; do not edit. In a process covkit does not measure it
# does nothing. In one it measures:
#
#   - pytest-cov steps aside. Its coverage.py would fight covkit's engine
#     over the tracer (sys.settrace, and coverage.py's own collector stack
#     pauses the Coverage started first) and over child processes (its .pth
#     starts a second coverage.py in each child), which left covkit's data
#     partial or empty. covkit turns it off as --no-cov would, before it
#     starts anything, and says so in one line on stderr, with the covrun
#     flags that give what pytest-cov's options asked for: covrun measures
#     every process and writes the reports instead.
#   - With `covrun --contexts test`, it labels what each test runs, in this
#     process and in every process the test starts (they inherit
#     COVKIT_CONTEXT), with the test's node id and phase, as pytest-cov's
#     --cov-context=test does: "path::Class::test|setup", "|run",
#     "|teardown".
import os
import sys

import pytest

ENV = "COVKIT_CONTEXT"


def _boot():
    # The bootstrap, if it measures this process.
    boot = sys.modules.get("_covkit_bootstrap")
    if boot is None or getattr(boot.run, "engine", None) is None:
        return None
    return boot


def _label(context):
    if context:
        os.environ[ENV] = context
    else:
        os.environ.pop(ENV, None)
    boot = sys.modules.get("_covkit_bootstrap")
    if boot is not None:
        boot.switch_context(context)


def _phase(item, phase):
    _label("%s|%s" % (item.nodeid, phase))
    try:
        yield
    finally:
        _label("")


NOTICE = "covkit: pytest-cov turned off in this session (as --no-cov would); covrun measures every process and reports"

# pytest-cov's report types with a file, and covrun's flag for each.
_FILE_REPORTS = (("html", "--html"), ("xml", "--xml"), ("json", "--json"), ("lcov", "--lcov"))


def covrun_flags(ns):
    """The covrun flags that give what pytest-cov's options in ns asked
    for (its reports, fail-under, branch, test contexts, configuration)."""
    rep = getattr(ns, "cov_report", None) or {}
    if not isinstance(rep, dict):
        rep = {}
    flags, reports = [], []
    if "term-missing" in rep:
        flags.append("-m")
    if "skip-covered" in (rep.get("term"), rep.get("term-missing")):
        flags.append("--skip-covered")
    files = False
    for kind, flag in _FILE_REPORTS:
        if kind in rep:
            if rep[kind]:
                flags += [flag, rep[kind]]
                files = True
            else:
                reports.append(kind)  # where the configuration says, as pytest-cov writes it
    term = not rep or "term" in rep or "term-missing" in rep
    if reports:
        flags += ["--reports", ",".join((["text"] if term else []) + reports)]
    elif term and files:
        flags.append("--text")
    if getattr(ns, "cov_fail_under", None) is not None:
        flags += ["--fail-under", "%g" % ns.cov_fail_under]
    if getattr(ns, "cov_branch", None):
        flags.append("--branch")
    if getattr(ns, "cov_context", None) == "test":
        flags += ["--contexts", "test"]
    cfg = getattr(ns, "cov_config", ".coveragerc")
    if cfg and cfg != ".coveragerc":
        flags += ["--rcfile", cfg]
    return flags


def _notice(ns):
    try:
        flags = covrun_flags(ns)
    except Exception:
        flags = []
    if not flags:
        return NOTICE + "\n"
    import shlex
    return "%s: for what its options asked, run covrun %s -- ...\n" % (NOTICE, " ".join(shlex.quote(f) for f in flags))


@pytest.hookimpl(hookwrapper=True)
def pytest_load_initial_conftests(early_config, parser, args):
    # pytest-cov decides here (tryfirst) whether to start coverage.py: from
    # --cov in the arguments, addopts or PYTEST_ADDOPTS. A wrapper runs
    # before every implementation, whatever the plugins' order.
    boot = _boot()
    ns = early_config.known_args_namespace
    off = boot is not None and bool(getattr(ns, "cov_source", None)) and not getattr(ns, "no_cov", False)
    if off:
        ns.no_cov = True
    yield
    if not off:
        return
    # Its plugin object, disabled, would still pause a controller it never
    # made for tests marked no_cover: it goes altogether (its `cov` fixture
    # then gives None, as under --no-cov).
    pm = early_config.pluginmanager
    plugin = pm.get_plugin("_cov")
    if plugin is not None:
        pm.unregister(plugin)
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        try:
            sys.stderr.write(_notice(ns))
            sys.stderr.flush()
        except (OSError, ValueError):
            pass


def _contexts():
    boot = _boot()
    return boot is not None and (boot.run.cfg or {}).get("contexts") == "test"


class _Contexts:
    """Labels each test phase (covrun --contexts test)."""

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_setup(self, item):
        yield from _phase(item, "setup")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item):
        yield from _phase(item, "run")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_teardown(self, item):
        yield from _phase(item, "teardown")


def pytest_configure(config):
    if _contexts() and not config.pluginmanager.has_plugin("_covkit_contexts"):
        config.pluginmanager.register(_Contexts(), "_covkit_contexts")
