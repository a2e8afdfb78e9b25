package main

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

// How long down waits for the sandbox process to stop its components, and
// then for the kernel to end them once it is killed.
const (
	stopTimeout = 30 * time.Second
	killTimeout = 10 * time.Second
)

// down stops the background sandbox and fails unless every process it
// recorded is gone.
func down(files stateFiles) error {
	children, err := readPids(files.children)
	if err != nil {
		return err
	}
	if pid, ok := files.runningPid(); ok {
		_ = syscall.Kill(pid, syscall.SIGTERM)
		if !waitGone(stopTimeout, pid) {
			// Its components have Pdeathsig: killing it ends them too.
			fmt.Printf("sandbox: pid %d did not stop in %s, killing it\n", pid, stopTimeout)
			_ = syscall.Kill(pid, syscall.SIGKILL)
			children = append(children, pid)
		}
	} else {
		fmt.Println("sandbox: none running")
	}
	if !waitGone(killTimeout, children...) {
		return fmt.Errorf("processes still running: %s", running(children))
	}
	files.removeRunState()
	fmt.Println("sandbox: down, no process left")
	return nil
}

// waitGone waits until none of pids exists, and reports whether that
// happened within timeout.
// They are not our children, so polling is the only way to know.
func waitGone(timeout time.Duration, pids ...int) bool {
	err := wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, timeout, true,
		func(context.Context) (bool, error) { return running(pids) == "", nil })
	return err == nil
}

func running(pids []int) string {
	var alivePids []string
	for _, pid := range pids {
		if alive(pid) {
			alivePids = append(alivePids, fmt.Sprint(pid))
		}
	}
	return strings.Join(alivePids, " ")
}
