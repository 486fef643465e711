# Pipeline driver: starts children in every way covkit must follow. Lines
# marked "not-run" must be missing from the data; every other statement of
# every file here must be in it.
import os
import signal
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PY = sys.executable
VENV_PY = sys.argv[1]


def p(name):
    return os.path.join(HERE, name)


def run(args, **kw):
    cp = subprocess.run(args, capture_output=True, text=True, **kw)
    assert cp.returncode == 0 and cp.stderr == "", (args, cp.returncode, cp.stderr)
    return cp


def never():
    return "never"  # not-run


assert run([PY, p("c_subprocess.py")]).stdout == "subprocess\n"
assert os.system(PY + " " + p("c_system.py")) == 0
with os.popen(PY + " " + p("c_popen.py")) as f:
    assert f.read() == "popen\n"
assert os.spawnv(os.P_WAIT, PY, [PY, p("c_spawn.py")]) == 0
run([p("c_script.py")])
assert run([PY, p("nest1.py")]).stdout == "nest1\nnest2\nnest3\n"
assert run([PY, p("c_exit.py")]).stdout == "exit\n"
assert run([PY, p("c_execv.py")]).stdout == "execv\nexecd\n"
assert run([PY, p("c_cwd.py")], cwd="/").stdout == "/\n"
assert run([PY, p("c_scrub.py")], env={}).stdout == "scrubbed\n"
proc = subprocess.Popen([PY, p("c_sigterm.py")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
assert proc.stdout.readline() == "ready\n"
proc.send_signal(signal.SIGTERM)
out, err = proc.communicate()
assert proc.returncode == -signal.SIGTERM and err == "", (proc.returncode, err)
run([PY, p("c_mp.py")])
run([PY, p("c_fork.py")])
# The second virtualenv really has no coverage.py of its own.
cp = subprocess.run([VENV_PY, "-c", "import coverage"], capture_output=True, env=dict(os.environ, COVKIT_RUN="-"))
assert cp.returncode != 0, "venv can import coverage"
assert run([VENV_PY, p("c_venv.py")]).stdout == "venv\n"
print("pipeline ok")
