package main

import (
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/vpsie/node-rebalancer/libs/plansign"
	"github.com/vpsie/node-rebalancer/testbed/servicetest"
)

// The executor says at start-up whether it checks plan signatures: the
// keys it trusts, or a warning that it accepts unsigned plans.
func TestStartUpSaysWhichPlannerKeysItTrusts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pub := filepath.Join(dir, "planner.pub")
	require.NoError(t, plansign.WriteKeyPair(filepath.Join(dir, "planner.key"), pub))
	keys, err := plansign.LoadVerifier(pub)
	require.NoError(t, err)

	for name, tc := range map[string]struct {
		args []string
		says string
	}{
		"with a key":  {[]string{"--plan-public-key-file", pub}, keys.KeyIDs()[0]},
		"with no key": {nil, "no --plan-public-key-file: plans are accepted unsigned"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			grpcAddr := servicetest.FreeAddr(t)
			args := append([]string{"--grpc-addr", grpcAddr, "--metrics-addr", servicetest.FreeAddr(t),
				"--kubeconfig", servicetest.UnreachableKubeconfig(t), "--data-dir", t.TempDir(),
				"--drain-period", "100ms", "--log-level", "info", "--vpsie-token-file", tokenFile(t)}, tc.args...)
			cmd := exec.Command(servicetest.Build(t, "."), args...)
			cmd.Env = servicetest.CleanEnv("EXECUTOR_", "VPSIE_")
			out := servicetest.Capture(t, cmd)
			require.NoError(t, cmd.Start())
			t.Cleanup(func() { _ = cmd.Process.Kill() })
			servicetest.WaitHealth(t, servicetest.Dial(t, grpcAddr), "rebalancer.v1.ExecutorService", healthpb.HealthCheckResponse_NOT_SERVING)
			require.Contains(t, out.String(), tc.says)
			require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
			require.NoError(t, cmd.Wait())
		})
	}
}

// A key file that cannot be read or holds no public key stops the
// executor at once, naming the flag and the file.
func TestABadPlannerKeyExitsAtOnceNamingTheFlag(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	priv := filepath.Join(dir, "planner.key")
	require.NoError(t, plansign.WriteKeyPair(priv, filepath.Join(dir, "planner.pub")))
	for name, path := range map[string]string{
		"a missing file":  filepath.Join(dir, "missing.pub"),
		"a private key":   priv,
		"an empty folder": t.TempDir(),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(servicetest.Build(t, "."), "--grpc-addr", servicetest.FreeAddr(t), "--metrics-addr", servicetest.FreeAddr(t),
				"--kubeconfig", servicetest.UnreachableKubeconfig(t), "--vpsie-token-file", tokenFile(t), "--plan-public-key-file", path)
			cmd.Env = servicetest.CleanEnv("EXECUTOR_", "VPSIE_")
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit)
			require.Equal(t, 1, exit.ExitCode())
			require.Contains(t, string(out), "executor: --plan-public-key-file: ")
			require.Contains(t, string(out), path)
		})
	}
}
