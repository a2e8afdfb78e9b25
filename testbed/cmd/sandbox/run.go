package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/vpsie/node-rebalancer/testbed/sandbox"
)

// run starts a sandbox, publishes its kubeconfig and pids in the folder,
// and stops it when ctx ends (SIGINT or SIGTERM, as down sends).
func run(ctx context.Context, files stateFiles) error {
	if pid, ok := files.runningPid(); ok && pid != os.Getpid() {
		return fmt.Errorf("a sandbox is already running (pid %d); run sandbox down first", pid)
	}
	if err := os.MkdirAll(files.dir, 0o755); err != nil {
		return err
	}
	files.removeRunState()
	if err := writePids(files.pid, os.Getpid()); err != nil {
		return err
	}
	defer files.removeRunState()

	start := time.Now()
	logf := func(format string, args ...any) { fmt.Printf(format+"\n", args...) }
	sb, err := sandbox.Start(ctx, sandbox.Options{Logf: logf})
	if err != nil {
		return err
	}
	defer func() {
		if err := sb.Stop(); err != nil {
			logf("sandbox: stop: %v", err)
		}
		logf("sandbox: stopped")
	}()
	if err := publish(files, sb); err != nil {
		return err
	}
	logf("sandbox: up in %s; export KUBECONFIG=%s", time.Since(start).Round(100*time.Millisecond), files.kubeconfig)
	<-ctx.Done()
	return nil
}

func publish(files stateFiles, sb *sandbox.Sandbox) error {
	if err := writePids(files.children, sb.Pids()...); err != nil {
		return err
	}
	kubeconfig, err := os.ReadFile(sb.KubeconfigPath)
	if err != nil {
		return err
	}
	return writeAtomic(files.kubeconfig, kubeconfig)
}
