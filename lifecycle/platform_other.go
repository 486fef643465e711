//go:build !darwin

package lifecycle

// platformNote says what covrun does not reach on this system ("": all).
const platformNote = ""
