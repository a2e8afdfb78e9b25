package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
)

// buildBinary compiles the analyzer, so the tests see what an operator runs.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "analyzer")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, string(out))
	return bin
}

// cleanEnv drops what would let the binary find a cluster by itself.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "KUBECONFIG=") && !strings.HasPrefix(kv, "KUBERNETES_SERVICE_") && !strings.HasPrefix(kv, "ANALYZER_") {
			env = append(env, kv)
		}
	}
	return env
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().String()
}

func TestMissingKubeconfigExitsAtOnceWithOneLine(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(buildBinary(t), "--grpc-addr", freeAddr(t), "--metrics-addr", freeAddr(t))
	cmd.Env = cleanEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	require.Equal(t, 1, exit.ExitCode())
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	require.Len(t, lines, 1, stderr.String())
	require.Contains(t, lines[0], "analyzer: no Kubernetes configuration")
}

// An unreachable API server is retried while the service says NOT_SERVING;
// the server still answers reflection and stops cleanly on SIGTERM.
func TestUnreachableClusterIsNotServingAndSIGTERMExitsZero(t *testing.T) {
	t.Parallel()
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	require.NoError(t, os.WriteFile(kubeconfig, []byte(unreachableKubeconfig(freeAddr(t))), 0o600))
	grpcAddr := freeAddr(t)
	cmd := exec.Command(buildBinary(t), "--grpc-addr", grpcAddr, "--metrics-addr", freeAddr(t),
		"--kubeconfig", kubeconfig, "--drain-period", "500ms", "--log-level", "error")
	cmd.Env = cleanEnv()
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	conn, err := grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer conn.Close()
	require.Eventually(t, func() bool {
		resp, err := healthpb.NewHealthClient(conn).Check(t.Context(), &healthpb.HealthCheckRequest{Service: "rebalancer.v1.AnalyzerService"})
		return err == nil && resp.GetStatus() == healthpb.HealthCheckResponse_NOT_SERVING
	}, 10*time.Second, 50*time.Millisecond)
	require.Contains(t, listServices(t, conn), "rebalancer.v1.AnalyzerService")

	start := time.Now()
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, cmd.Wait(), "exit code 0 after SIGTERM")
	require.Less(t, time.Since(start), 500*time.Millisecond+5*time.Second)
}

func listServices(t *testing.T, conn *grpc.ClientConn) []string {
	t.Helper()
	// An open stream would hold GracefulStop up until its deadline: close it.
	ctx, cancel := context.WithCancel(t.Context())
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

func unreachableKubeconfig(addr string) string {
	return `apiVersion: v1
kind: Config
clusters:
- name: nowhere
  cluster:
    server: https://` + addr + `
    insecure-skip-tls-verify: true
users:
- name: nobody
  user:
    token: none
contexts:
- name: nowhere
  context: {cluster: nowhere, user: nobody}
current-context: nowhere
`
}
