# Shell helpers shared by testbed/build and testbed/fresh-check (sourced, not run).

# log_prefix names the script in its messages.
log() { printf '%s: %s\n' "${log_prefix:-testbed}" "$*" >&2; }

# The mirror apt already uses on this machine: the test bed must come from the
# same Debian archive the machine is configured for, not a hard-wired host.
mirror() {
  local m
  m=$(grep -hE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null |
    grep -v security | head -n1 | sed -E 's/^URIs:[[:space:]]*//; s/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?//; s/[[:space:]].*$//')
  [ -n "$m" ] || { log "no Debian mirror found in apt sources"; exit 1; }
  printf '%s\n' "$m"
}

# The repository of the beds' Docker images (covkit-testbed:trixie, ...).
# A second checkout sharing this Docker engine (testbed/fresh-check) sets
# COVKIT_TESTBED_IMAGE so that its images never replace the ones other test
# runs are using; internal/testbed reads the same variable.
image_repo=${COVKIT_TESTBED_IMAGE:-covkit-testbed}

# The Docker engine's socket, when DOCKER_HOST names none.
docker_socket() {
  case ${DOCKER_HOST:-} in
    unix://*) printf '%s\n' "${DOCKER_HOST#unix://}" ;;
    '') printf '%s\n' /var/run/docker.sock ;;
    *) return 1 ;;
  esac
}
