package main

import (
	"io"
	"net/http"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/protobuf/types/known/timestamppb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/testbed/servicetest"
)

// The binary needs nothing but its flags: it serves at once, plans over
// its real listener, counts the plan on /metrics and stops on SIGTERM.
func TestServesPlansAndCountsThemUntilSIGTERM(t *testing.T) {
	t.Parallel()
	grpcAddr, metricsAddr := servicetest.FreeAddr(t), servicetest.FreeAddr(t)
	cmd := exec.Command(servicetest.Build(t, "planner"), "--grpc-addr", grpcAddr, "--metrics-addr", metricsAddr,
		"--drain-period", "100ms", "--log-level", "error")
	cmd.Env = servicetest.CleanEnv("PLANNER_")
	servicetest.Capture(t, cmd)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	conn := servicetest.Dial(t, grpcAddr)
	servicetest.WaitHealth(t, conn, "rebalancer.v1.PlannerService", healthpb.HealthCheckResponse_SERVING)
	resp, err := rebalancerv1.NewPlannerServiceClient(conn).CreatePlan(t.Context(), &rebalancerv1.CreatePlanRequest{Analysis: oneNodeAnalysis()})
	require.NoError(t, err)
	require.Len(t, resp.GetPlan().GetBatches(), 1)
	require.Contains(t, scrape(t, "http://"+metricsAddr+"/metrics"),
		`vpsie_rebalancing_plans_created_total{namespace="shop",node_group="web",strategy="rolling"} 1`)

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, cmd.Wait(), "exit code 0 after SIGTERM")
}

func oneNodeAnalysis() *rebalancerv1.RebalanceAnalysis {
	return &rebalancerv1.RebalanceAnalysis{
		NodeGroup: "web", Namespace: "shop", TotalNodes: 1,
		Opportunity: &rebalancerv1.Opportunity{CurrentOffering: "standard-8", TargetOffering: "compute-4"},
		AnalyzedAt:  timestamppb.New(time.Date(2026, 3, 14, 2, 0, 0, 0, time.UTC)),
		Policy:      &rebalancerv1.RebalancePolicy{Enabled: true, MinHealthyPercent: 100},
		CandidateNodes: []*rebalancerv1.CandidateNode{{
			NodeName: "web-0", VmIdentifier: "vm-0", CurrentOffering: "standard-8", TargetOffering: "compute-4", SafeToRebalance: true,
		}},
	}
}

func scrape(t *testing.T, url string) string {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(body)
}
