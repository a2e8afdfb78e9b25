package main

import (
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/libs/cloud/vpsie"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/sandboxtest"
	"github.com/vpsie/node-rebalancer/testbed/servicetest"
)

// One sandbox for the package: the join tests run the command against it.
func TestMain(m *testing.M) { sandboxtest.Main(m) }

const testToken = "e2e-token"

// startCommand runs the command as bin/vpsie-sim would run, on a free
// loopback port, and returns its base URL. It stops with the test, and the
// test fails if it did not shut down cleanly.
func startCommand(t *testing.T, extra ...string) string {
	t.Helper()
	addr := servicetest.FreeAddr(t)
	args := append([]string{"--addr", addr, "--token", testToken}, extra...)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, func(string) string { return "" }, io.Discard) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err, "graceful shutdown")
		case <-time.After(10 * time.Second):
			t.Error("vpsie-sim did not stop")
		}
	})
	require.Eventually(t, func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			_ = c.Close()
		}
		return err == nil
	}, 5*time.Second, 10*time.Millisecond, "vpsie-sim listens")
	return "http://" + addr
}

func client(t *testing.T, url, token string) *vpsie.Client {
	t.Helper()
	c, err := vpsie.New(vpsie.Options{
		BaseURL: url, Token: token, OSIdentifier: "os-ubuntu-24-04", RequestsPerSecond: 1000, Burst: 100,
		Retry: vpsie.RetryPolicy{MaxAttempts: 8, Initial: time.Millisecond, Max: 20 * time.Millisecond},
	})
	require.NoError(t, err)
	return c
}
