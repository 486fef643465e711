//go:build unix

package pth

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
)

// asStranger runs a shell command as an unprivileged user that is not the
// run's owner (an arbitrary uid: no account is needed).
func asStranger(t *testing.T, script string) error {
	t.Helper()
	c := exec.Command("/bin/sh", "-c", script)
	c.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 54321, Gid: 54321}}
	return c.Run()
}

// TestStrangersCannotTouchARun: another local user can neither forge,
// remove nor redirect a run's data and logs; files in the data directory
// that are not the run's are left out of its data.
func TestStrangersCannotTouchARun(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to act as a second, unprivileged user")
	}
	base := t.TempDir()
	os.Chmod(base, 0o755) // the stranger may look, as in /tmp
	r, err := StartRun(RunOptions{Dir: base, Pythons: []string{}, NoInstall: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	real := filepath.Join(r.DataDir, ".coverage.host.pid1.X1x")
	if err := os.WriteFile(real, []byte("data"), 0o644); err != nil {
		t.Fatal(err)
	}
	logDir := filepath.Join(r.Root, "log")
	for _, d := range []string{r.DataDir, logDir, filepath.Join(r.Root, "interp")} {
		st, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm()&0o022 != 0 || st.Mode()&os.ModeSticky != 0 {
			t.Errorf("%s: mode %v, want writable by its owner only", d, st.Mode())
		}
	}
	attacks := map[string]string{
		"forge a data file":        "echo forged > " + filepath.Join(r.DataDir, ".coverage.evil.pid2.X2x"),
		"remove the run's data":    "rm -f " + real,
		"move the run's data away": "mv " + real + " " + base + "/stolen",
		"plant a log symlink":      "ln -s /etc/shadow " + filepath.Join(logDir, "99999.log"),
		"rewrite run.cfg":          "echo data=/tmp > " + filepath.Join(r.Root, "run.cfg"),
		"replace the bootstrap":    "echo 'import os' > " + filepath.Join(r.Root, "boot", BootstrapFile),
	}
	for what, script := range attacks {
		if err := asStranger(t, script); err == nil {
			t.Errorf("%s: a stranger succeeded (%s)", what, script)
		}
	}
	if _, err := os.Stat(real); err != nil {
		t.Errorf("the run's data file is gone: %v", err)
	}

	// What does land in the data directory (put there by root here) but
	// is not a regular file of the run's owner or group is not its data.
	foreign := filepath.Join(r.DataDir, ".coverage.foreign.pid3.X3x")
	os.WriteFile(foreign, []byte("x"), 0o644)
	os.Chown(foreign, 54321, 54321)
	link := filepath.Join(r.DataDir, ".covkit.link.pid4.X4x")
	os.Symlink(real, link)
	files, err := r.DataFiles()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(files, []string{real}) {
		t.Errorf("DataFiles = %v, want only %s", files, real)
	}
	if s := r.Strangers(); !slices.Equal(s, []string{link, foreign}) && !slices.Equal(s, []string{foreign, link}) {
		t.Errorf("Strangers = %v, want %s and %s", s, foreign, link)
	}
	// Files of the run's group (its containers') are its own.
	grouped := filepath.Join(r.DataDir, ".coverage.container.pid5.X5x")
	os.WriteFile(grouped, []byte("x"), 0o644)
	os.Chown(grouped, 54321, r.Group())
	if files, _ := r.DataFiles(); !slices.Contains(files, grouped) {
		t.Errorf("a file of the run's group is left out: %v", files)
	}
}
