//go:build unix

package service

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockDataDir takes an exclusive lock on the data folder, so a second
// executor started by mistake on the same folder (the default is per
// user, not per process) stops at once instead of running a second
// nats-server over the same JetStream files. The kernel drops the lock
// when the process ends, SIGKILL included, so a restart finds it free.
func lockDataDir(dir string) (release func() error, err error) {
	f, err := os.OpenFile(filepath.Join(dir, "executor.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("--data-dir: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("--data-dir %s: another executor uses it; give each its own folder", dir)
		}
		return nil, fmt.Errorf("--data-dir %s: lock: %w", dir, err)
	}
	return f.Close, nil
}
