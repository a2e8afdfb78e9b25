package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	corev1 "k8s.io/api/core/v1"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/naming"
	"github.com/vpsie/node-rebalancer/testbed/plantest"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
)

// A plan naming a node of another group is refused with a field
// violation, and nothing is touched: no VM, no cordon, no execution.
func TestPlanNamingANodeOutsideTheGroupIsRefusedAndTouchesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	own := e.createGroup(current, 1)
	stranger := fixtures.Node(e.ns+"-stranger", "another-group", fixtures.Standard8, nil)
	stranger, err := e.sb.Client.CoreV1().Nodes().Create(t.Context(), stranger, metav1CreateOptions)
	require.NoError(t, err)
	t.Cleanup(func() { deleteNode(e, stranger.Name) })
	plan := e.plan(plantest.Spec{Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
		Replace: []*corev1.Node{own[0], stranger}, GroupSize: 2, Target: "compute-4", DrainTimeout: time.Minute})

	_, err = e.api.ExecutePlan(t.Context(), &rebalancerv1.ExecutePlanRequest{Plan: plan})
	st, ok := status.FromError(err)
	require.True(t, ok, "a gRPC status: %v", err)
	require.Equal(t, codes.InvalidArgument, st.Code())
	var fields []string
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				fields = append(fields, v.GetField())
			}
		}
	}
	require.Contains(t, fields, "plan.batches[1].nodes[0].node_name")

	_, err = e.api.GetExecution(t.Context(), &rebalancerv1.GetExecutionRequest{ExecutionId: naming.ExecutionID(plan.GetPlanId())})
	require.Equal(t, codes.NotFound, status.Code(err), "no execution stored: %v", err)
	vms, err := e.cloud.ListVMs(t.Context())
	require.NoError(t, err)
	require.Len(t, vms, 1, "no VM created")
	require.False(t, e.groupNodes()[0].Spec.Unschedulable, "nothing cordoned")
}

// The account's quota cannot hold the target offering: the replacement
// runs the opportunity's alternative, and savings are counted from it.
func TestQuotaExhaustedOnTheTargetFallsBackToTheAlternativeOffering(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	old := e.createGroup(current, 1)
	// standard-8 uses 8 vCPUs; 11 leaves room for compute-2 (2), not compute-4 (4).
	require.NoError(t, e.sim.SetQuota(simToken, cloud.Quota{MaxVMs: 10, MaxCPU: 11, MaxRAMMB: 1 << 20}))
	plan := e.plan(plantest.Spec{Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
		Replace: old, GroupSize: 1, Target: "compute-4", Alternatives: []string{"compute-2"}, DrainTimeout: time.Minute})
	rec := &recorder{}
	m := e.monitor(old, 1, false, rec)
	final := e.run(plan, rec)
	requireNoViolations(t, m)

	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED, final.GetStatus(), "errors: %v", final.GetErrors())
	require.Equal(t, "compute-2", final.GetNodes()[0].GetNewOffering())
	require.EqualValues(t, 4800-1250, final.GetResult().GetRealizedMonthlySavingsCents(), "savings of the offering running")
	e.requireReplaced(old, 1, "compute-2")
	events := rec.all()
	requireEventsWithoutGaps(t, events, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_SUCCEEDED)

	// The same plan again is the same execution, untouched.
	again := e.submit(plan)
	require.Equal(t, final.GetExecutionId(), again.GetExecutionId())
	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED, again.GetStatus())
	require.Len(t, e.groupNodes(), 1, "nothing provisioned again")

	// A watcher reconnecting at sequence 3 replays from there to the end.
	replay := &recorder{}
	require.NoError(t, e.watch(t.Context(), final.GetExecutionId(), 3, replay.add))
	require.Len(t, replay.all(), len(events)-2)
	require.EqualValues(t, 3, replay.all()[0].GetSequence())

	list, err := e.api.ListExecutions(t.Context(), &rebalancerv1.ListExecutionsRequest{Namespace: e.ns,
		Statuses: []rebalancerv1.ExecutionStatus{rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED}})
	require.NoError(t, err)
	require.Empty(t, list.GetNextPageToken())
	require.Len(t, list.GetExecutions(), 1)
	list, err = e.api.ListExecutions(t.Context(), &rebalancerv1.ListExecutionsRequest{Namespace: e.ns,
		Statuses: []rebalancerv1.ExecutionStatus{rebalancerv1.ExecutionStatus_EXECUTION_STATUS_FAILED}})
	require.NoError(t, err)
	require.Empty(t, list.GetExecutions())
}
