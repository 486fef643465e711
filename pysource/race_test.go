//go:build race

package pysource

const raceEnabled = true
