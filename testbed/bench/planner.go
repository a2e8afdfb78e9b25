package bench

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/protobuf/types/known/durationpb"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	autoscaler "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/client"
	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/plancheck"
	"github.com/vpsie/node-rebalancer/testbed/plantest"
	"github.com/vpsie/node-rebalancer/testbed/procs"
	"github.com/vpsie/node-rebalancer/testbed/servicetest"
)

// planner is the Planner binary asked as plantest.Planner asks it, with
// one thing more: the analysis carries the step times the group's status
// holds, as the Analyzer copies them, so the plan has the expected
// duration the bench compares with the wall time. (plantest.Planner
// builds and sends its request in one call, with no place for them.)
type planner struct {
	client rebalancerv1.PlannerServiceClient
}

// startPlanner runs the planner binary on free loopback ports until the
// test ends, and waits until it serves.
func startPlanner(t testing.TB, binary string) *planner {
	t.Helper()
	grpcAddr := servicetest.FreeAddr(t)
	p, err := procs.Start(procs.Command{Name: "planner", Binary: binary, LogDir: t.TempDir(), Args: []string{
		"--grpc-addr", grpcAddr, "--metrics-addr", servicetest.FreeAddr(t), "--drain-period", "0s",
		"--log-format", "text", "--log-level", "warn", "--auth", "none",
	}})
	require.NoError(t, err)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("--- log of the planner ---\n%s", p.Tail(40))
		}
		_ = p.Stop(10 * time.Second)
	})
	conn := servicetest.Dial(t, grpcAddr)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	exited := func() error {
		_, why := p.Exited()
		return why
	}
	require.NoError(t, procs.WaitHealth(ctx, conn, rebalancerv1.PlannerService_ServiceDesc.ServiceName,
		healthpb.HealthCheckResponse_SERVING, exited))
	return &planner{client: rebalancerv1.NewPlannerServiceClient(conn)}
}

// plan sets the group's policy to s's, reads the group back, and asks for
// the plan of s's analysis with the group's measured step times.
func (p *planner) plan(t testing.TB, groups autoscaler.Interface, s plantest.Spec) (*rebalancerv1.RebalancePlan, *rebalancerv1.StepTimings) {
	t.Helper()
	patch, err := json.Marshal(map[string]any{"spec": map[string]any{"rebalancing": s.GroupPolicy()}})
	require.NoError(t, err)
	group, err := groups.NodeGroups(s.Namespace).Patch(t.Context(), s.Group, types.MergePatchType, patch, metav1.PatchOptions{})
	require.NoError(t, err, "set the policy of group %s/%s", s.Namespace, s.Group)
	req := s.Request(group)
	req.Analysis.StepTimings = stepTimingsOf(group.Status.LastRebalanceTimings)
	resp, err := p.client.CreatePlan(t.Context(), req)
	require.NoError(t, err, "the Planner plans %s/%s", s.Namespace, s.Group)
	require.Empty(t, plancheck.Check(resp.GetPlan()), "the Planner's plan keeps the shared plan rules")
	return resp.GetPlan(), req.Analysis.StepTimings
}

// stepTimingsOf is what the Analyzer copies from a group's status
// (services/analyzer/internal/analysis/timings.go).
func stepTimingsOf(t *v1alpha1.RebalanceTimings) *rebalancerv1.StepTimings {
	if t == nil || t.Nodes <= 0 {
		return nil
	}
	return &rebalancerv1.StepTimings{Provision: durationpb.New(t.Provision.Duration), Drain: durationpb.New(t.Drain.Duration),
		Terminate: durationpb.New(t.Terminate.Duration), SampleNodes: t.Nodes}
}
