// Package pth owns covkit's start-up hook: the one-line .pth file that every
// CPython interpreter runs at start-up, the Python bootstrap it loads (embedded
// here and written beside the hook), the registry through which processes with
// a scrubbed environment find their run, and the run life cycle (StartRun,
// Close) that covrun builds on.
//
// How a process reaches its run:
//
//   - Inherited environment: COVKIT_RUN names the run directory and
//     PYTHONPATH starts with the run's boot directory, whose sitecustomize.py
//     starts the bootstrap (and then chains to the sitecustomize it shadows).
//     This reaches interpreters that have no hook installed, including other
//     virtualenvs; a same-version interpreter without coverage.py borrows the
//     run's coverage.py through a directory holding only that package.
//   - Scrubbed environment: the installed .pth hook sees the registry
//     directory beside it, and the bootstrap walks /proc parent links up to a
//     registered run owner whose pid and start time still match.
//
// The bootstrap measures each process with one of three engines (the run
// chooses: RunOptions.Engine; the interpreter's abilities decide the rest).
// The lean engine, on CPython 3.12+, is covkit's own sys.monitoring tracer:
// each line reports once and is written through to a memory-mapped data
// file (package leancov), so the data is on disk however the process ends
// and no exit hook, patch or signal handler is needed (docs/lean-engine.md).
// Before 3.12 the lean engine drives coverage.py's compiled line tracer
// alone (_covkit_ctrace.py) and writes covkit's data at exit, exec and
// os._exit, and a multiprocessing.Pool worker before it hands back each
// result (Pool.terminate() kills workers with SIGTERM). The coverage.py
// engine starts coverage.py in
// parallel mode with the run's data directory by absolute path, reading the
// project's configuration from the project directory (relative paths in it
// resolve there) whatever the process's working directory. It keeps data
// through os._exit (coverage.py's own patch on 7.10+), os.exec*/os.spawn*
// (save first), raw os.fork and multiprocessing fork/forkserver children
// (the inherited Coverage goes on in the child; coverage.py's data layer
// starts a new file for the new pid), spawn children and
// ProcessPoolExecutor workers (new interpreters), Pool workers as above,
// and SIGTERM only where the project sets [run] sigterm = true (covkit never
// adds a handler: it would change how a busy process dies). From the .pth hook, measuring starts
// once site has finished, where `coverage run` starts. coverage.py's
// warnings, messages and save failures go to the run's log directory, never
// to the program's stderr. covkit's own functions are never measured.
//
// Every run also names covkit's pytest plugin in PYTEST_PLUGINS (from the
// run's plugins directory, on PYTHONPATH; the bootstrap puts it back on
// sys.path in a process whose PYTHONPATH was replaced). In a session covkit
// measures it turns pytest-cov off as --no-cov would, saying so in one line
// on stderr (two coverage.py tracers cannot share a process, and
// pytest-cov's children would be measured by its coverage.py instead), and
// with test contexts it labels each test phase. unittest's tests are
// labelled by the bootstrap itself (TestCase.run, patched once the program
// imports unittest).
//
// Inert unless a run is active: with no run the hook line costs one
// os.environ lookup and one os.path.isdir call (about 3-9 µs) on top of the
// ~50 µs CPython spends compiling any .pth import line. A registry entry whose
// owner is dead is ignored, and removed (with a run-owned hook no live run
// uses) by the next covkit command that touches the directory.
//
// Not reached: interpreters started with -S (no site), processes whose
// environment was scrubbed AND whose interpreter has no hook, daemons that
// left the run's process tree AND its environment, and runs whose owner is in
// another pid namespace (RunOptions.Detached: environment only).
//
// The remote client (RemoteFiles: _covkit_remote.py and its own one-line
// hook, covkit-remote.pth, which covdocker build puts into images) lets a
// process on another host measure itself and push its data to the run's
// collector (package collect): with COVKIT_COLLECT set it makes a local run
// of its own, which the hook then measures, and pushes from a daemon thread
// (docs/kubernetes.md). Without COVKIT_COLLECT it costs one environment
// lookup and imports nothing.
//
// The start-up benchmark (TestStartupBenchmark, COVKIT_BENCH=1) and the
// checkpoint workload (testdata/bench/ckpt.py) measure the costs.
package pth
