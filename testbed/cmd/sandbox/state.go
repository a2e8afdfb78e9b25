package main

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// stateFiles are what a running sandbox leaves in its folder for up and
// down, which run as other processes.
type stateFiles struct {
	dir        string
	kubeconfig string // written last: its presence means ready
	pid        string // the process running the sandbox
	children   string // the components' pids, one per line
	log        string // the running process's output
}

func newStateFiles(dir string) (stateFiles, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return stateFiles{}, err
	}
	return stateFiles{
		dir:        abs,
		kubeconfig: filepath.Join(abs, "kubeconfig"),
		pid:        filepath.Join(abs, "sandbox.pid"),
		children:   filepath.Join(abs, "sandbox.children"),
		log:        filepath.Join(abs, "sandbox.log"),
	}, nil
}

// writeAtomic writes through a temporary name, so a reader never sees half
// a file.
func writeAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func writePids(path string, pids ...int) error {
	var b strings.Builder
	for _, pid := range pids {
		b.WriteString(strconv.Itoa(pid) + "\n")
	}
	return writeAtomic(path, []byte(b.String()))
}

// readPids returns the pids in path; none if it does not exist.
func readPids(path string) ([]int, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, field := range strings.Fields(string(data)) {
		pid, err := strconv.Atoi(field)
		if err != nil {
			return nil, err
		}
		pids = append(pids, pid)
	}
	return pids, nil
}

// alive reports whether pid exists (signal 0 sends nothing).
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// runningPid returns the pid of the sandbox process if one is running.
func (f stateFiles) runningPid() (int, bool) {
	pids, err := readPids(f.pid)
	if err != nil || len(pids) != 1 || !alive(pids[0]) {
		return 0, false
	}
	return pids[0], true
}

func (f stateFiles) removeRunState() {
	for _, path := range []string{f.kubeconfig, f.pid, f.children} {
		_ = os.Remove(path)
	}
}
