package plantest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	autoscaler "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/client"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/plancheck"
	"github.com/vpsie/node-rebalancer/testbed/procs"
	"github.com/vpsie/node-rebalancer/testbed/servicetest"
)

// Planner is a planner process serving the test.
type Planner struct {
	client rebalancerv1.PlannerServiceClient
}

// startWait bounds the planner's start: it needs nothing but its flags,
// but a machine running every e2e package at once can starve it.
const startWait = time.Minute

// Start runs the planner binary (built from services/planner/cmd/planner,
// with procs.Build say) on free loopback ports and waits until it serves.
// It stops when the test ends, and must exit 0; its log is shown when the
// test failed.
func Start(t testing.TB, binary string) *Planner {
	t.Helper()
	grpcAddr := servicetest.FreeAddr(t)
	p, err := procs.Start(procs.Command{Name: "planner", Binary: binary, LogDir: t.TempDir(), Args: []string{
		"--grpc-addr", grpcAddr, "--metrics-addr", servicetest.FreeAddr(t), "--drain-period", "0s",
		"--log-format", "text", "--log-level", "warn",
		"--auth", "none", // loopback only: the tests call without a token
	}})
	require.NoError(t, err)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("--- log of the planner ---\n%s", p.Tail(40))
		}
		if err := p.Stop(10 * time.Second); err != nil {
			t.Errorf("planner: %v", err)
		}
	})
	conn := servicetest.Dial(t, grpcAddr)
	ctx, cancel := context.WithTimeout(t.Context(), startWait)
	defer cancel()
	exited := func() error {
		_, why := p.Exited()
		return why
	}
	require.NoError(t, procs.WaitHealth(ctx, conn, rebalancerv1.PlannerService_ServiceDesc.ServiceName,
		healthpb.HealthCheckResponse_SERVING, exited))
	return &Planner{client: rebalancerv1.NewPlannerServiceClient(conn)}
}

// Plan sets the group's policy to s's (GroupPolicy), as an operator would
// before asking for a plan, then asks the Planner for the plan of the
// analysis of the group as it now reads (Request). The Planner refuses
// what it cannot plan; the plan must keep the shared plan rules the
// Executor applies when it accepts one.
func (p *Planner) Plan(t testing.TB, groups autoscaler.Interface, s Spec) *rebalancerv1.RebalancePlan {
	t.Helper()
	patch, err := json.Marshal(map[string]any{"spec": map[string]any{"rebalancing": s.GroupPolicy()}})
	require.NoError(t, err)
	group, err := groups.NodeGroups(s.Namespace).Patch(t.Context(), s.Group, types.MergePatchType, patch, metav1.PatchOptions{})
	require.NoError(t, err, "set the policy of group %s/%s", s.Namespace, s.Group)
	resp, err := p.client.CreatePlan(t.Context(), s.Request(group))
	require.NoError(t, err, "the Planner plans %s/%s", s.Namespace, s.Group)
	require.Empty(t, plancheck.Check(resp.GetPlan()), "the Planner's plan keeps the shared plan rules")
	return resp.GetPlan()
}
