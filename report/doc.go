// Package report owns covkit's report writers: the text summary table,
// Cobertura XML, LCOV and JSON, each byte-for-byte the same as coverage.py
// 7.16 writes them for the same measurements.
//
// The writers take a neutral in-memory model (a Set of File results) and know
// nothing about data files, configuration or Python parsing; package analysis
// builds the model. The arithmetic (Numbers, display rounding, fail-under,
// missing-line formatting, branch statistics) mirrors coverage.py's
// results.py so that every figure and every rounding agrees.
package report
