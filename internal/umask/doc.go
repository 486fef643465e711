// Package umask owns reading the process umask, which new files written
// atomically (temporary file, then rename) must honour.
package umask
