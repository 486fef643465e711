# covkit's pytest plugin, loaded through PYTEST_PLUGINS by `covrun --contexts
# test`: it labels what each test runs, in this process and in every process
# the test starts (they inherit COVKIT_CONTEXT), with the test's node id and
# phase, as pytest-cov's --cov-context=test does: "path::Class::test|setup",
# "|run", "|teardown". Written by covkit; do not edit. Without a covkit run
# it does nothing.
import os
import sys

import pytest

ENV = "COVKIT_CONTEXT"


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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    yield from _phase(item, "setup")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    yield from _phase(item, "run")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item):
    yield from _phase(item, "teardown")
