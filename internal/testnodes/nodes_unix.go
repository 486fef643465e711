//go:build unix

package testnodes

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// Null makes a node for the null device (char 1,3) at p.
func Null(t testing.TB, p string) {
	t.Helper()
	NeedRoot(t, "making a device node")
	if err := syscall.Mknod(p, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
		t.Fatal(err)
	}
}

// Zero makes a node for the zero device (char 1,5) at p: endless zeros.
func Zero(t testing.TB, p string) {
	t.Helper()
	NeedRoot(t, "making a device node")
	if err := syscall.Mknod(p, syscall.S_IFCHR|0o666, 1<<8|5); err != nil {
		t.Fatal(err)
	}
}

// FIFO makes a FIFO at p.
func FIFO(t testing.TB, p string) {
	t.Helper()
	if err := syscall.Mkfifo(p, 0o666); err != nil {
		t.Fatal(err)
	}
}

// ReadFIFO reads everything written into the FIFO p, in the background,
// and returns a function that waits (at most a minute) for the writer to
// close it and returns the bytes. A reader still waiting when the test ends
// is released.
func ReadFIFO(t testing.TB, p string) (wait func() []byte) {
	t.Helper()
	done := make(chan []byte, 1)
	go func() {
		f, err := os.Open(p)
		if err != nil {
			done <- nil
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		done <- b
	}()
	t.Cleanup(func() {
		if w, err := os.OpenFile(p, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
	})
	return func() []byte {
		t.Helper()
		select {
		case b := <-done:
			return b
		case <-time.After(time.Minute):
			t.Fatalf("%s: nothing finished writing into the FIFO", p)
			return nil
		}
	}
}

// Tmpfs mounts a tmpfs of size bytes (rounded up to pages) on dir, for
// tests of a full disk, and unmounts it when the test ends.
func Tmpfs(t testing.TB, dir string, size int) {
	t.Helper()
	NeedRoot(t, "mounting a tmpfs")
	mount(t, dir, "-t", "tmpfs", "-o", fmt.Sprintf("size=%d,mode=0755", size), "tmpfs", dir)
}

// ReadOnly mounts dir read-only over itself (a bind mount), so that even
// root cannot write in it, until the test ends.
func ReadOnly(t testing.TB, dir string) {
	t.Helper()
	NeedRoot(t, "a read-only bind mount")
	mount(t, dir, "--bind", dir, dir)
	if out, err := exec.Command("mount", "-o", "remount,bind,ro", dir).CombinedOutput(); err != nil {
		t.Fatalf("remount %s read-only: %v: %s", dir, err, bytes.TrimSpace(out))
	}
}

func mount(t testing.TB, dir string, args ...string) {
	t.Helper()
	if out, err := exec.Command("mount", args...).CombinedOutput(); err != nil {
		t.Skipf("cannot mount here (%v: %s)", err, bytes.TrimSpace(out))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, bytes.TrimSpace(out))
		}
	})
}

// Fill writes a file at p until the file system holding it is full.
func Fill(t testing.TB, p string) {
	t.Helper()
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 512)
	for {
		if _, err := f.Write(buf); err != nil {
			return
		}
	}
}
