// Package servicetest helps tests run a service the way an operator does:
// its binary built from source, on free loopback ports, probed over gRPC;
// or its composition root on a libs/server Server in the test's own process
// (Serve). The helpers wrap testbed/procs, which the sandbox and the demo
// share, for tests: a failure fails the test.
package servicetest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"

	"github.com/vpsie/node-rebalancer/testbed/procs"
)

// Build compiles the main package in folder pkg ("." for the test's own)
// into a temporary folder of the test and returns the binary's path
// (procs.Build).
func Build(t testing.TB, pkg string) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, procs.Build(dir, pkg))
	abs, err := filepath.Abs(pkg)
	require.NoError(t, err)
	return filepath.Join(dir, filepath.Base(abs))
}

// FreeAddr returns a loopback address nobody listens on right now, for a
// child process's listen flag (procs.FreeAddr).
func FreeAddr(t testing.TB) string {
	t.Helper()
	addr, err := procs.FreeAddr()
	require.NoError(t, err)
	return addr
}

// FreePorts returns n distinct loopback ports nobody listens on right now
// (procs.FreePorts).
func FreePorts(t testing.TB, n int) []int {
	t.Helper()
	ports, err := procs.FreePorts(n)
	require.NoError(t, err)
	return ports
}

// CleanEnv is the environment without anything that would let a binary find
// a cluster or configuration by itself, nor the given variable prefixes.
func CleanEnv(prefixes ...string) []string {
	prefixes = append(prefixes, "KUBECONFIG=", "KUBERNETES_SERVICE_")
	var env []string
	for _, kv := range os.Environ() {
		keep := true
		for _, p := range prefixes {
			keep = keep && !strings.HasPrefix(kv, p)
		}
		if keep {
			env = append(env, kv)
		}
	}
	return env
}

// UnreachableKubeconfig writes a kubeconfig naming a port nobody listens on.
func UnreachableKubeconfig(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kubeconfig")
	content := `apiVersion: v1
kind: Config
clusters:
- name: nowhere
  cluster: {server: "https://` + FreeAddr(t) + `", insecure-skip-tls-verify: true}
users:
- name: nobody
  user: {token: none}
contexts:
- name: nowhere
  context: {cluster: nowhere, user: nobody}
current-context: nowhere
`
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

// Dial connects to a gRPC address without TLS.
func Dial(t testing.TB, addr string) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// healthWait bounds WaitHealth: a binary starts in well under a second,
// but a CI machine running every e2e package beside it can starve it.
const healthWait = time.Minute

// WaitHealth waits until service reports want through gRPC health
// checking (procs.WaitHealth).
func WaitHealth(t testing.TB, conn *grpc.ClientConn, service string, want healthpb.HealthCheckResponse_ServingStatus) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), healthWait)
	defer cancel()
	require.NoError(t, procs.WaitHealth(ctx, conn, service, want, nil))
}

// Output collects a child process's stdout and stderr, safe to read while
// it runs; a test logs it when it fails, so a child that died says why.
type Output struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

func (o *Output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// Capture sends cmd's output to an Output logged if the test fails.
func Capture(t testing.TB, cmd *exec.Cmd) *Output {
	t.Helper()
	out := &Output{}
	cmd.Stdout, cmd.Stderr = out, out
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("--- output of %s ---\n%s", filepath.Base(cmd.Path), out.String())
		}
	})
	return out
}

// ListServices asks server reflection which services are served.
func ListServices(t testing.TB, conn *grpc.ClientConn) []string {
	t.Helper()
	// An open stream would hold the server's GracefulStop up: close it.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stream, err := reflectionpb.NewServerReflectionClient(conn).ServerReflectionInfo(ctx)
	require.NoError(t, err)
	require.NoError(t, stream.Send(&reflectionpb.ServerReflectionRequest{
		MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{},
	}))
	resp, err := stream.Recv()
	require.NoError(t, err)
	var names []string
	for _, s := range resp.GetListServicesResponse().GetService() {
		names = append(names, s.GetName())
	}
	return names
}
