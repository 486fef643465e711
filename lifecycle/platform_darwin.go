package lifecycle

// platformNote says what covrun does not reach on this system.
const platformNote = "on macOS a process started with a scrubbed environment (no COVKIT_RUN, no PYTHONPATH) is not measured: " +
	"finding its run means walking its parents through /proc, which macOS lacks; every process that inherits the environment is measured"
