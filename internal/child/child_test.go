//go:build unix

package child

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRunExitStatus(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"success", []string{"sh", "-c", "exit 0"}, 0},
		{"exit code passes through", []string{"sh", "-c", "exit 7"}, 7},
		{"killed by signal is 128+N", []string{"sh", "-c", "kill -KILL $$"}, 128 + 9},
		{"terminated is 128+15", []string{"sh", "-c", "kill -TERM $$"}, 128 + 15},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Run(Command{Args: tt.args, Env: os.Environ()})
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("exit status = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestRunNotFound(t *testing.T) {
	code, err := Run(Command{Args: []string{"covkit-no-such-command"}, Env: os.Environ()})
	if err == nil || code != 127 {
		t.Fatalf("got %d, %v; want 127 and an error", code, err)
	}
}

func TestRunUsesTheRunsPath(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "covkit-probe"), []byte("#!/bin/sh\necho from-run-path\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	env := append(os.Environ(), "PATH="+dir+":"+os.Getenv("PATH"))
	if _, err := Run(Command{Args: []string{"covkit-probe"}, Env: env, Stdout: &out}); err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(out.String()) != "from-run-path" {
		t.Fatalf("got %q", out.String())
	}
}

// A SIGTERM sent to covrun reaches every process of the command's group,
// grandchildren included, and covrun itself survives to clean up.
func TestRunForwardsSignalsToTheGroup(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "grandchild-got-term")
	ready := filepath.Join(dir, "ready")
	script := `trap 'touch ` + marker + `; exit 3' TERM; touch ` + ready + `; while :; do sleep 0.05; done`
	go func() {
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			if _, err := os.Stat(ready); err == nil {
				syscall.Kill(os.Getpid(), syscall.SIGTERM)
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	// sh -c 'sh -c ...; ...' : the trap lives in a grandchild of Run.
	code, err := Run(Command{Args: []string{"sh", "-c", "sh -c \"$0\"; exit $?", script}, Env: os.Environ()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Fatalf("grandchild did not get SIGTERM: %v", err)
	}
	if code != 3 && code != 128+15 {
		t.Errorf("exit status = %d, want the command's own (3) or 143", code)
	}
}

// A wrapper's command stays in covkit's group, and ending the wrapper's
// context ends the command as a forwarded SIGTERM would.
func TestRunSameGroupStopsWithContext(t *testing.T) {
	dir := t.TempDir()
	ready := filepath.Join(dir, "ready")
	script := `trap 'exit 3' TERM; ps -o pgid= -p $$ > ` + filepath.Join(dir, "pgid") + `; touch ` + ready + `; while :; do sleep 0.05; done`
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if _, err := os.Stat(ready); err == nil {
				cancel()
				return
			}
		}
	}()
	code, err := Run(Command{Args: []string{"sh", "-c", script}, Env: os.Environ(), SameGroup: true, Context: ctx})
	if err != nil || code != 3 {
		t.Fatalf("got %d, %v; want the command's own status 3", code, err)
	}
	pgid, err := os.ReadFile(filepath.Join(dir, "pgid"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.TrimSpace(string(pgid)), strconv.Itoa(syscall.Getpgrp()); got != want {
		t.Errorf("command's process group = %s, want covkit's own %s", got, want)
	}
}
