package main

import (
	"os/exec"
	"testing"

	"github.com/stretchr/testify/require"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/vpsie/node-rebalancer/testbed/servicetest"
)

// Where the embedded nats-server keeps executions is said at start-up:
// the data folder by default (here HOME's state folder), a temporary one
// only on --ephemeral-store and with a warning, and the old flag still
// works, with a deprecation warning.
func TestTheEmbeddedStoreSaysWhereExecutionsLive(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	for name, tc := range map[string]struct {
		args []string
		says []string
	}{
		"default": {nil, []string{`"store":"` + home + `/.local/state/node-rebalancer/executor"`, `"ephemeral":false`}},
		"ephemeral": {[]string{"--ephemeral-store"}, []string{"WARNING: --ephemeral-store: executions live in a temporary folder and are lost",
			`"ephemeral":true`}},
		"deprecated flag": {[]string{"--nats-store-dir", home + "/old"}, []string{"--nats-store-dir is deprecated: use --data-dir",
			`"store":"` + home + `/old"`}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			grpcAddr := servicetest.FreeAddr(t)
			args := append([]string{"--grpc-addr", grpcAddr, "--metrics-addr", servicetest.FreeAddr(t),
				"--kubeconfig", servicetest.UnreachableKubeconfig(t), "--drain-period", "100ms", "--log-level", "info",
				"--log-format", "json", "--vpsie-token-file", tokenFile(t)}, tc.args...)
			cmd := exec.Command(servicetest.Build(t, "."), args...)
			cmd.Env = append(servicetest.CleanEnv("EXECUTOR_", "VPSIE_", "XDG_STATE_HOME=", "HOME="), "HOME="+home)
			out := servicetest.Capture(t, cmd)
			require.NoError(t, cmd.Start())
			t.Cleanup(func() { _ = cmd.Process.Kill() })
			servicetest.WaitHealth(t, servicetest.Dial(t, grpcAddr), "rebalancer.v1.ExecutorService", healthpb.HealthCheckResponse_NOT_SERVING)
			for _, s := range tc.says {
				require.Contains(t, out.String(), s)
			}
		})
	}
}
