// Package pathmap owns file path rewriting and file path matching with
// coverage.py's exact semantics: the [paths] setting (coverage.py's
// PathAliases, used by combine and by reporting), the include/omit patterns
// (GlobMatcher with prep_patterns), and the source matchers (TreeMatcher,
// ModuleMatcher).
//
// Behaviour follows coverage.py 7.16 on CPython 3.14. Where older versions
// differ:
//
//   - coverage.py 6.5 turned patterns into regexes with fnmatch, so "*"
//     matched across separators and "[!x]" negated; there was no check
//     that the mapped path exists, patterns were made absolute even with
//     relative_files, unmapped paths were not made relative, and there was
//     no implicit rule for relative paths.
//   - coverage.py 7.6 replaced every occurrence of the matched prefix text in
//     the path, not just the first; 7.16 replaces only the prefix.
//   - source_exists looks inside .par archives in 7.16, not in 7.6.
//   - TreeMatcher compared os.path.normcase'd strings up to 7.6; 7.16
//     resolves both sides with abs_file (symlinks, "..").
//   - CPython 3.12 and earlier call "\x" and "/x" absolute in ntpath.isabs;
//     3.13+ (and this package) need a drive and root or a UNC prefix. That
//     decides whether a pattern like `\src` is made absolute.
package pathmap
