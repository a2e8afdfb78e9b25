package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// upTimeout bounds the wait for a background sandbox to be ready; start-up
// takes seconds, the rest is room for a loaded machine.
const upTimeout = 3 * time.Minute

// up starts `sandbox run` as a background process in a session of its own,
// so it outlives this process and the terminal's or make's signals, and
// returns once the kubeconfig is published.
func up(files stateFiles) error {
	if pid, ok := files.runningPid(); ok {
		fmt.Printf("sandbox: already running (pid %d); export KUBECONFIG=%s\n", pid, files.kubeconfig)
		return nil
	}
	if err := os.MkdirAll(files.dir, 0o755); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	logFile, err := os.Create(files.log)
	if err != nil {
		return err
	}
	// The child holds its own descriptor; ours only needs releasing.
	defer func() { _ = logFile.Close() }()
	files.removeRunState()
	cmd := exec.Command(self, "run", "-dir", files.dir)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	return waitUp(files, exited)
}

func waitUp(files stateFiles, exited <-chan error) error {
	deadline := time.After(upTimeout)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-exited:
			return fmt.Errorf("the sandbox process ended (%w):\n%s", err, tail(files.log))
		case <-deadline:
			return errors.Join(fmt.Errorf("not ready after %s:\n%s", upTimeout, tail(files.log)), down(files))
		case <-tick.C:
			if _, err := os.Stat(files.kubeconfig); err == nil {
				fmt.Print(tail(files.log))
				return nil
			}
		}
	}
}

// tail returns the last lines of the log, what a person needs to see.
func tail(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.SplitAfter(string(data), "\n")
	if len(lines) > 40 {
		lines = lines[len(lines)-40:]
	}
	return strings.Join(lines, "")
}
