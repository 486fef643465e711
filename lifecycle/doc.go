// Package lifecycle owns covrun's one-command lifecycle: start a run (private
// data directory, hooks installed), run the user's command in its own process
// group with signals forwarded, then always remove the hooks, merge every
// per-process data file, write the reports and clean up.
package lifecycle
