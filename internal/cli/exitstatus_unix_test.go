//go:build unix

package cli

import (
	"errors"
	"os/exec"
	"testing"
)

func TestExitStatus(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"success", []string{"sh", "-c", "exit 0"}, 0},
		{"exit code", []string{"sh", "-c", "exit 3"}, 3},
		{"killed by SIGTERM is 128+15", []string{"sh", "-c", "kill -TERM $$"}, 128 + 15},
		{"killed by SIGKILL is 128+9", []string{"sh", "-c", "kill -KILL $$"}, 128 + 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := exec.Command(tt.args[0], tt.args[1:]...)
			err := c.Run()
			got, gerr := ExitStatus(c.ProcessState, err)
			if got != tt.want || gerr != nil {
				t.Errorf("ExitStatus = %d, %v; want %d, nil", got, gerr, tt.want)
			}
		})
	}
	// A child that never ran has no status: the error comes back.
	c := exec.Command("/nonexistent/program")
	err := c.Run()
	if got, gerr := ExitStatus(c.ProcessState, err); got != 1 || !errors.Is(gerr, err) {
		t.Errorf("never started: %d, %v", got, gerr)
	}
}
