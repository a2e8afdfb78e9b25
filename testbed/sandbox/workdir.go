package sandbox

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Sandbox folders are named with this prefix and hold ownerFile, the pid of
// the process that made them.
const (
	workDirPrefix = "node-rebalancer-sandbox-"
	ownerFile     = "owner.pid"
)

// newWorkDir makes the sandbox's temporary folder, after removing those of
// sandboxes whose owner died without cleaning up (killed by a test
// timeout or SIGKILL, where no handler runs; the kernel already ended
// their children).
func newWorkDir() (string, error) {
	removeOrphanedWorkDirs()
	dir, err := os.MkdirTemp("", workDirPrefix)
	if err != nil {
		return "", err
	}
	pid := []byte(strconv.Itoa(os.Getpid()))
	if err := os.WriteFile(filepath.Join(dir, ownerFile), pid, 0o600); err != nil {
		_ = os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}

func removeOrphanedWorkDirs() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), workDirPrefix+"*"))
	for _, dir := range dirs {
		data, err := os.ReadFile(filepath.Join(dir, ownerFile))
		if err != nil {
			continue // not ours, or being created right now
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
		if err == nil && !alive(pid) {
			_ = os.RemoveAll(dir) // best effort: the next start tries again
		}
	}
}

// alive reports whether a process with this pid exists (signal 0 probes
// without sending anything; EPERM means it exists but is not ours).
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
