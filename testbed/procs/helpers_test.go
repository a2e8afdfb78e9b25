package procs_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/vpsie/node-rebalancer/testbed/procs"
)

func TestFreePortsAreDistinctAndFree(t *testing.T) {
	t.Parallel()
	ports, err := procs.FreePorts(5)
	require.NoError(t, err)
	// Each port was bound by FreePorts, so it was free then. Listening on
	// it again here would race with the other packages' tests, which run at
	// the same time, so only what is ours to check is: distinct ports, and
	// none where outgoing connections could take them.
	first, last := procs.EphemeralRange()
	seen := map[int]bool{}
	for _, p := range ports {
		require.False(t, seen[p], "port %d twice", p)
		seen[p] = true
		require.True(t, p > 1023 && p < 65536, "port %d is an unprivileged port", p)
		require.False(t, p >= first && p <= last, "port %d is inside the ephemeral range %d-%d", p, first, last)
	}
	addr, err := procs.FreeAddr()
	require.NoError(t, err)
	host, _, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1", host)
}

func TestBuildNamesTheBinaryAfterItsFolderAndQuotesTheCompiler(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	good, bad := filepath.Join(root, "hello"), filepath.Join(root, "broken")
	for dir, src := range map[string]string{good: "package main\n\nfunc main() {}\n", bad: "package main\n\nfunc main() { undefined() }\n"} {
		require.NoError(t, os.MkdirAll(dir, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/"+filepath.Base(dir)+"\n\ngo 1.26\n"), 0o600))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o600))
	}
	out := t.TempDir()
	require.NoError(t, procs.Build(out, good))
	require.FileExists(t, filepath.Join(out, "hello"))

	err := procs.Build(out, good, bad)
	require.ErrorContains(t, err, "go build "+bad)
	require.ErrorContains(t, err, "undefined", "the compiler's output")
}

// startHealth serves gRPC health checking on a loopback port.
func startHealth(t *testing.T) (*health.Server, *grpc.ClientConn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv, hs := grpc.NewServer(), health.NewServer()
	healthpb.RegisterHealthServer(srv, hs)
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient(l.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return hs, conn
}

func TestWaitHealthWaitsForTheStatus(t *testing.T) {
	t.Parallel()
	hs, conn := startHealth(t)
	hs.SetServingStatus("svc", healthpb.HealthCheckResponse_NOT_SERVING)
	time.AfterFunc(200*time.Millisecond, func() { hs.SetServingStatus("svc", healthpb.HealthCheckResponse_SERVING) })
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	require.NoError(t, procs.WaitHealth(ctx, conn, "svc", healthpb.HealthCheckResponse_SERVING, nil))

	short, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	err := procs.WaitHealth(short, conn, "svc", healthpb.HealthCheckResponse_NOT_SERVING, nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.ErrorContains(t, err, "last answer: SERVING")
}

func TestWaitHealthGivesUpOnceTheProcessExited(t *testing.T) {
	t.Parallel()
	_, conn := startHealth(t)
	gone := errors.New("server exited: exit status 1")
	start := time.Now()
	err := procs.WaitHealth(t.Context(), conn, "never", healthpb.HealthCheckResponse_SERVING, func() error { return gone })
	require.ErrorIs(t, err, gone)
	require.Less(t, time.Since(start), 5*time.Second)
}

func TestAPortHandedOutIsNotHandedOutAgainUntilItsReservationEnds(t *testing.T) {
	t.Parallel()
	ports, err := procs.FreePorts(1)
	require.NoError(t, err)
	port := ports[0]
	require.False(t, procs.Reserve(port), "another test process asking for port %d is refused it", port)
	path := filepath.Join(os.TempDir(), "node-rebalancer-ports", strconv.Itoa(port))
	old := time.Now().Add(-11 * time.Minute)
	require.NoError(t, os.Chtimes(path, old, old))
	require.True(t, procs.Reserve(port), "an expired reservation is claimed afresh")
	require.False(t, procs.Reserve(port))
}
