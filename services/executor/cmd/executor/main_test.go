package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/vpsie/node-rebalancer/testbed/servicetest"
)

// With an embedded nats-server but no reachable cluster the executor serves
// NOT_SERVING, and SIGTERM stops it (and its embedded NATS) with exit 0.
func TestEmbeddedNATSWithoutClusterIsNotServingAndStopsOnSIGTERM(t *testing.T) {
	t.Parallel()
	grpcAddr := servicetest.FreeAddr(t)
	cmd := exec.Command(servicetest.Build(t, "."), "--grpc-addr", grpcAddr,
		"--metrics-addr", servicetest.FreeAddr(t), "--kubeconfig", servicetest.UnreachableKubeconfig(t),
		"--data-dir", t.TempDir(), "--drain-period", "200ms", "--log-level", "error",
		"--vpsie-token-file", tokenFile(t))
	cmd.Env = servicetest.CleanEnv("EXECUTOR_", "VPSIE_")
	servicetest.Capture(t, cmd)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	conn := servicetest.Dial(t, grpcAddr)
	servicetest.WaitHealth(t, conn, "rebalancer.v1.ExecutorService", healthpb.HealthCheckResponse_NOT_SERVING)
	require.Contains(t, servicetest.ListServices(t, conn), "rebalancer.v1.ExecutorService")

	start := time.Now()
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, cmd.Wait(), "exit code 0 after SIGTERM")
	require.Less(t, time.Since(start), 200*time.Millisecond+5*time.Second)
}

// A malformed setting stops the executor at once, with the flag named.
func TestMalformedSettingsExitAtOnceNamingTheFlag(t *testing.T) {
	t.Parallel()
	for _, bad := range [][]string{
		{"--nats-listen", "nowhere"},
		{"--nats-replicas", "0"},
		{"--nats-replicas", "7"},
		{"--roles", "executor,janitor"},
		{"--lease-ttl", "1s"},
		{"--max-plan-age", "-1m"},
		{"--kube-qps", "0"},
		{"--kube-burst", "50"},
	} {
		t.Run(bad[0]+"="+bad[1], func(t *testing.T) {
			t.Parallel()
			args := append([]string{"--grpc-addr", servicetest.FreeAddr(t), "--metrics-addr", servicetest.FreeAddr(t),
				"--kubeconfig", servicetest.UnreachableKubeconfig(t), "--vpsie-token-file", tokenFile(t)}, bad...)
			cmd := exec.Command(servicetest.Build(t, "."), args...)
			cmd.Env = servicetest.CleanEnv("EXECUTOR_", "VPSIE_")
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit)
			require.Equal(t, 1, exit.ExitCode())
			require.Contains(t, string(out), "executor: "+bad[0])
		})
	}
}

func TestMissingVPSieTokenExitsAtOnceWithOneLine(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(servicetest.Build(t, "."), "--grpc-addr", servicetest.FreeAddr(t),
		"--metrics-addr", servicetest.FreeAddr(t), "--kubeconfig", servicetest.UnreachableKubeconfig(t))
	cmd.Env = servicetest.CleanEnv("EXECUTOR_", "VPSIE_")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	require.Equal(t, 1, exit.ExitCode())
	require.Equal(t, "executor: no VPSie token: set --vpsie-token-file (EXECUTOR_VPSIE_TOKEN_FILE) or VPSIE_TOKEN\n", string(out))
}

func tokenFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(path, []byte("test-token\n"), 0o600))
	return path
}
