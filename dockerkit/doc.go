// Package dockerkit owns covkit's Docker support.
//
// Build (covdocker build) runs the user's docker build, then adds one thin
// layer: covkit's hook (package pth, inert unless COVKIT_RUN names a run)
// in the site directory of every Python the static covdocker binary finds
// inside the image, coverage.py where an interpreter lacks it (from a
// wheel, a package directory or a .deb; or pip when the build has
// network), and labels recording how container paths map to build-context
// paths (from WORKDIR/COPY/ADD, overridable with --map). The layer is made
// with docker cp + docker commit (no builder steps) unless pip must RUN.
//
// Proxy is a Docker Engine API proxy that rewrites container-create
// requests for covdocker images: it mounts a per-image run directory at
// /.covkit (its run.cfg derived from the host run's), sets COVKIT_RUN, adds
// the host user's group (the directory is setgid 2770, never
// world-writable), and runs the container under `covdocker init`. The docker
// and docker-compose shims (Shim, WriteShims) run the real client through a
// proxy of their own, so tests that start containers with `docker run`,
// `docker compose` or through the Engine API (DOCKER_HOST pointed at a
// proxy: docker-py, testcontainers) are measured unchanged.
//
// How a container's data survives its ending:
//   - normal exit, --rm: coverage.py saves at exit into the bind-mounted
//     directory, which outlives the container;
//   - os._exit: the bootstrap patches it to save first;
//   - docker stop: SIGTERM reaches PID 1, covkit's init, which broadcasts it
//     to every process (so a shell entrypoint that does not forward signals
//     does not matter), coverage.py's SIGTERM handler saves, and init waits
//     for them all before the container ends;
//   - docker kill / SIGKILL after the stop timeout: nothing can save; the
//     run's checkpoint interval (pth RunOptions.Checkpoint, copied into the
//     container's run.cfg) bounds the loss.
//
// Remap rewrites the data files containers wrote to host paths (the user's
// [paths] first, then the image's labels, then suffix matching under the
// host tree) and moves them beside the host's data for the merge.
package dockerkit
