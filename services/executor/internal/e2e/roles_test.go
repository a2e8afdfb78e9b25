package e2e

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/testbed/plantest"
)

// A replica running only the executor role records a failure and leaves
// the rollback to a replica running only the rollback role, which
// receives the failure event through its durable consumer and carries the
// rollback out once (before a scan could: the hand-over lease keeps scans
// off for a TTL).
func TestTheRollbackRoleCarriesOutAnExecutorReplicasFailure(t *testing.T) {
	t.Parallel()
	e := newProcessEnv(t)
	old, _ := blocked(t, e)
	executor := e.startReplica("executor-only", "executor", leaseTTL.String())
	rollback := e.startReplica("rollback-only", "rollback", leaseTTL.String())
	plan := e.plan(plantest.Spec{Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
		Replace: []*corev1.Node{old}, GroupSize: 2, Target: "compute-4", DrainTimeout: 3 * time.Second})
	rec := &recorder{}
	m := e.monitor([]*corev1.Node{old}, 2, false, rec)
	resp, err := executor.api.ExecutePlan(t.Context(), &rebalancerv1.ExecutePlanRequest{Plan: plan})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), watchTimeout)
	defer cancel()
	require.NoError(t, <-e.follow(ctx, resp.GetExecution().GetExecutionId(), rec, func(*rebalancerv1.ExecutionEvent) {}))
	requireNoViolations(t, m)

	final := getExecution(t, executor.api, resp.GetExecution().GetExecutionId())
	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLED_BACK, final.GetStatus(), "errors: %v", final.GetErrors())
	require.Equal(t, "rollback-only", final.GetOwner(), "the rollback replica carried it out")
	events := rec.all()
	requireEventsWithoutGaps(t, events, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_FAILED)
	require.Equal(t, 1, countKind(events, rebalancerv1.EventKind_EVENT_KIND_NODE_FAILED))
	require.Equal(t, 1, countKind(events, rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_STARTED), "rolled back exactly once")
	require.Equal(t, 1, countKind(events, rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_COMPLETED))
	e.requireNoMarks()
	require.Len(t, e.groupNodes(), 2, "the replacement is gone")
	log, err := os.ReadFile(rollback.log)
	require.NoError(t, err)
	require.Contains(t, string(log), "rollback claimed from a failure event")
}
