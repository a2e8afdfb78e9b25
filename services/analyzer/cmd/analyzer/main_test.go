package main

import (
	"bytes"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/vpsie/node-rebalancer/libs/cloud/vpsie"
	"github.com/vpsie/node-rebalancer/testbed/servicetest"
)

// exitsAtOnceWithOneLine runs the binary with args and env, and checks it
// fails with exit code 1 and the single line want.
func exitsAtOnceWithOneLine(t *testing.T, env []string, want string, args ...string) {
	t.Helper()
	cmd := exec.Command(servicetest.Build(t, "."),
		append([]string{"--grpc-addr", servicetest.FreeAddr(t), "--metrics-addr", servicetest.FreeAddr(t), "--auth", "none"}, args...)...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	require.Equal(t, 1, exit.ExitCode())
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	require.Len(t, lines, 1, stderr.String())
	require.Contains(t, lines[0], want)
}

func TestMissingKubeconfigExitsAtOnceWithOneLine(t *testing.T) {
	t.Parallel()
	exitsAtOnceWithOneLine(t, servicetest.CleanEnv("ANALYZER_", vpsie.TokenEnv+"="), "analyzer: no Kubernetes configuration")
}

func TestMissingVPSieTokenExitsAtOnceWithOneLine(t *testing.T) {
	t.Parallel()
	exitsAtOnceWithOneLine(t, servicetest.CleanEnv("ANALYZER_", vpsie.TokenEnv+"="), "analyzer: no VPSie token",
		"--kubeconfig", servicetest.UnreachableKubeconfig(t), "--vpsie-os-identifier", "os-ubuntu")
}

func TestMissingOSIdentifierExitsAtOnceWithOneLine(t *testing.T) {
	t.Parallel()
	exitsAtOnceWithOneLine(t, append(servicetest.CleanEnv("ANALYZER_", vpsie.TokenEnv+"="), vpsie.TokenEnv+"=t0ken"),
		"analyzer: --vpsie-os-identifier", "--kubeconfig", servicetest.UnreachableKubeconfig(t))
}

// An unreachable API server (and VPSie API) is retried while the service
// says NOT_SERVING; the server still answers reflection and stops cleanly
// on SIGTERM.
func TestUnreachableClusterIsNotServingAndSIGTERMExitsZero(t *testing.T) {
	t.Parallel()
	grpcAddr := servicetest.FreeAddr(t)
	cmd := exec.Command(servicetest.Build(t, "."), "--grpc-addr", grpcAddr,
		"--metrics-addr", servicetest.FreeAddr(t), "--kubeconfig", servicetest.UnreachableKubeconfig(t),
		"--vpsie-url", "http://"+servicetest.FreeAddr(t), "--vpsie-os-identifier", "os-ubuntu",
		"--drain-period", "500ms", "--log-level", "error", "--auth", "none")
	cmd.Env = append(servicetest.CleanEnv("ANALYZER_", vpsie.TokenEnv+"="), vpsie.TokenEnv+"=t0ken")
	servicetest.Capture(t, cmd)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	conn := servicetest.Dial(t, grpcAddr)
	servicetest.WaitHealth(t, conn, "rebalancer.v1.AnalyzerService", healthpb.HealthCheckResponse_NOT_SERVING)
	require.Contains(t, servicetest.ListServices(t, conn), "rebalancer.v1.AnalyzerService")

	start := time.Now()
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, cmd.Wait(), "exit code 0 after SIGTERM")
	require.Less(t, time.Since(start), 500*time.Millisecond+5*time.Second)
}
