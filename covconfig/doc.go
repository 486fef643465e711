// Package covconfig owns reading coverage.py's configuration the way
// coverage.py 7.16 does, for every covkit tool: which file is read
// (--rcfile, COVERAGE_RCFILE, .coveragerc, .coveragerc.toml, setup.cfg,
// tox.ini, pyproject.toml), how INI and TOML values are parsed and typed,
// environment variable expansion, defaults, the post-processing coverage.py
// applies, and the warnings it gives for unknown options.
//
// INI files are read as CPython 3.14's configparser reads them with
// coverage.py's settings (no interpolation, no inline comments, "=" and
// ":" delimiters, [DEFAULT] inherited everywhere, duplicates refused);
// TOML files with github.com/BurntSushi/toml, typed like coverage.py's
// TomlConfigParser (lists must be TOML arrays of strings; booleans may be
// the strings "true"/"false"; numbers may be strings Python's int() or
// float() accepts).
//
// Where older coverage.py differs (the 7.6 and 6.5 test beds):
//
//   - .coveragerc.toml is tried only after 7.6; 7.6 and 6.5 go
//     from the rc file straight to setup.cfg.
//   - DEFAULT_EXCLUDE gained the "..." placeholder body and
//     "if TYPE_CHECKING:" lines after 7.6; 7.6 and 6.5 exclude only the
//     "pragma: no cover" comment by default.
//   - [run] core, patch, source_dirs, [report] partial_also and [lcov]
//     line_checksums are unknown to 7.6 (warned about, ignored).
//   - data_file, debug_file and [html] directory get ~ expanded only in 7.16.
//   - Unknown or conflicting [run] concurrency values are errors when the
//     configuration is read in 7.16; 7.6 complains only when measuring.
//   - The host's coverage.py 6.5 has no [report] exclude_also either.
//
// Deliberate departures from coverage.py: a non-string TOML value where a
// plain string is read (say title = 5) is kept as Python's str() of it,
// where coverage.py keeps the raw value; a Python regex is checked with regexp2 after mapping
// (?P<name>) to (?<name>), which may accept or refuse a few exotic regexes
// differently from Python's re; COVERAGE_FORCE_CONFIG is honoured.
package covconfig
