package main

import (
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/plansign"
	"github.com/vpsie/node-rebalancer/testbed/servicetest"
)

// With --signing-key-file the binary signs every plan with that key, and
// says which key at start-up.
func TestSignsPlansWithTheKeyFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	priv, pub := filepath.Join(dir, "planner.key"), filepath.Join(dir, "planner.pub")
	require.NoError(t, plansign.WriteKeyPair(priv, pub))
	keys, err := plansign.LoadVerifier(pub)
	require.NoError(t, err)

	grpcAddr := servicetest.FreeAddr(t)
	cmd := exec.Command(servicetest.Build(t, "."), "--grpc-addr", grpcAddr, "--metrics-addr", servicetest.FreeAddr(t),
		"--drain-period", "100ms", "--log-level", "info", "--auth", "none")
	cmd.Env = append(servicetest.CleanEnv("PLANNER_"), "PLANNER_SIGNING_KEY_FILE="+priv)
	out := servicetest.Capture(t, cmd)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	conn := servicetest.Dial(t, grpcAddr)
	servicetest.WaitHealth(t, conn, "rebalancer.v1.PlannerService", healthpb.HealthCheckResponse_SERVING)
	resp, err := rebalancerv1.NewPlannerServiceClient(conn).CreatePlan(t.Context(), &rebalancerv1.CreatePlanRequest{Analysis: oneNodeAnalysis()})
	require.NoError(t, err)
	require.NoError(t, keys.Verify(resp.GetPlan()))
	require.Contains(t, out.String(), keys.KeyIDs()[0], "the key in use is logged")

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, cmd.Wait())
}

// A signing key that cannot be read ends the program at once, naming it.
func TestAnUnreadableSigningKeyStopsTheStart(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "nope.key")
	cmd := exec.Command(servicetest.Build(t, "."), "--grpc-addr", servicetest.FreeAddr(t), "--metrics-addr", servicetest.FreeAddr(t),
		"--auth", "none", "--signing-key-file", missing)
	cmd.Env = servicetest.CleanEnv("PLANNER_")
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	require.Error(t, err)
	require.Contains(t, string(out), "signing key")
	require.Contains(t, string(out), missing)
}
