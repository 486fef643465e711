package analysis

import "github.com/covkit/covkit/pysource"

// PythonSource decodes raw file bytes as coverage.py's get_python_source
// does (see pysource.Decode, the one decoder covkit has).
func PythonSource(raw []byte) string { return pysource.Decode(raw) }
