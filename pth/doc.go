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
//     starts the bootstrap (and then chains to any other sitecustomize). This
//     reaches interpreters that have no hook installed, including other
//     virtualenvs; a same-version interpreter without coverage.py borrows the
//     run's coverage.py.
//   - Scrubbed environment: the installed .pth hook sees the registry
//     directory beside it, and the bootstrap walks /proc parent links up to a
//     registered, still-running run owner.
//
// The hook line costs one environment lookup and one stat when no run is
// active; a registry entry whose owner is dead is ignored, and removed by the
// next covkit command that touches the directory.
package pth
