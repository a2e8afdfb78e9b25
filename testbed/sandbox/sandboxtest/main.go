// Package sandboxtest gives each test package one sandbox cluster, started
// in TestMain, and each test a namespace of its own in it.
//
//	func TestMain(m *testing.M) { sandboxtest.Main(m) }
//
//	func TestX(t *testing.T) {
//		t.Parallel()
//		sb, ns := sandboxtest.Shared(), sandboxtest.Namespace(t)
//		...
//	}
package sandboxtest

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"testing"
	"time"

	"github.com/vpsie/node-rebalancer/testbed/sandbox"
)

var shared *sandbox.Sandbox

// Main starts a sandbox, runs each setup against it, runs the tests, stops
// the sandbox and exits. An interrupt (Ctrl-C) or SIGTERM stops the sandbox
// before the test binary exits; a test timeout or SIGKILL leaves it to the
// kernel (children die with their parent) and the next sandbox removes the
// folder left behind.
func Main(m *testing.M, setup ...func(*sandbox.Sandbox) error) {
	os.Exit(run(m, setup))
}

func run(m *testing.M, setup []func(*sandbox.Sandbox) error) int {
	ctx, stopSignals := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stopSignals()
	start := time.Now()
	sb, err := sandbox.Start(ctx, sandbox.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() {
		if err := sb.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "sandbox: stop:", err)
		}
	}()
	fmt.Fprintf(os.Stderr, "sandbox: started in %s\n", time.Since(start).Round(100*time.Millisecond))
	shared = sb

	done := make(chan struct{})
	defer close(done)
	go stopOnSignal(ctx, done, sb)

	for _, f := range setup {
		if err := f(sb); err != nil {
			fmt.Fprintln(os.Stderr, "sandbox setup:", err)
			return 1
		}
	}
	return m.Run()
}

// stopOnSignal stops the sandbox and exits when a signal arrives while the
// tests run; the tests themselves would not stop for it.
func stopOnSignal(ctx context.Context, done <-chan struct{}, sb *sandbox.Sandbox) {
	select {
	case <-done:
	case <-ctx.Done():
		fmt.Fprintln(os.Stderr, "sandbox: interrupted, stopping")
		_ = sb.Stop()
		os.Exit(130)
	}
}

// Shared returns the package's sandbox.
func Shared() *sandbox.Sandbox {
	if shared == nil {
		panic("sandboxtest.Shared: call sandboxtest.Main(m) from TestMain first")
	}
	return shared
}
