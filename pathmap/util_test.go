package pathmap

import "errors"

func asPatternError(err error, pe **PatternError) bool { return errors.As(err, pe) }
