package main

import (
	"bytes"
	"io"
	"net/http"
	"os/exec"
	"strings"
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
	cmd := exec.Command(servicetest.Build(t, "."), "--grpc-addr", grpcAddr, "--metrics-addr", metricsAddr,
		"--drain-period", "100ms", "--log-level", "error", "--auth", "none")
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

// Anonymous access only on loopback, and tokens only with a cluster to
// review them: a mistake ends the start at once, in one line.
func TestAuthSettingsThatCannotWorkExitAtOnceWithOneLine(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		args []string
		want string
	}{
		"anonymous on every interface": {[]string{"--auth", "none", "--grpc-addr", ":0", "--metrics-addr", servicetest.FreeAddr(t)},
			`planner: --auth=none lets anyone call, so every listener must be on loopback, and --grpc-addr ":0" is not`},
		"anonymous metrics on every interface": {[]string{"--auth", "none", "--grpc-addr", servicetest.FreeAddr(t), "--metrics-addr", "0.0.0.0:0"},
			`--metrics-addr "0.0.0.0:0" is not`},
		"tokens without a cluster": {[]string{"--auth", "kubernetes", "--grpc-addr", servicetest.FreeAddr(t), "--metrics-addr", servicetest.FreeAddr(t)},
			"planner: no Kubernetes configuration"},
		"an unknown mode": {[]string{"--auth", "anyone", "--grpc-addr", servicetest.FreeAddr(t), "--metrics-addr", servicetest.FreeAddr(t)},
			`planner: --auth "anyone": want kubernetes or none`},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(servicetest.Build(t, "."), c.args...)
			cmd.Env = servicetest.CleanEnv("PLANNER_")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit)
			require.Equal(t, 1, exit.ExitCode())
			lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
			require.Len(t, lines, 1, stderr.String())
			require.Contains(t, lines[0], c.want)
		})
	}
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
