package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/naming"
	"github.com/vpsie/node-rebalancer/testbed/plantest"
)

// A replacement that never joins has its VM deleted and is asked for once
// more; when that one does not join either, the node fails, the plan rolls
// back, and no VM is left behind.
func TestReplacementThatNeverJoinsIsRetriedOnceThenFailsTheNode(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	old := e.createGroup(current, 1)
	plan := e.plan(plantest.Spec{Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
		Replace: old, GroupSize: 1, Target: "compute-4", DrainTimeout: time.Minute, ProvisionTimeout: 3 * time.Second})
	hostname := naming.Hostname(plan.GetPlanId(), old[0].Name)
	require.NoError(t, e.sim.NeverJoin(hostname))
	before := e.sim.Stats().VMsCreated
	rec := &recorder{}
	m := e.monitor(old, 1, false, rec)
	final := e.run(plan, rec)
	requireNoViolations(t, m)

	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLED_BACK, final.GetStatus())
	require.EqualValues(t, 1, final.GetResult().GetNodesFailed())
	require.Zero(t, final.GetResult().GetOrphanVms())
	require.Equal(t, rebalancerv1.NodePhase_NODE_PHASE_JOINING, final.GetFailedNodes()[0].GetPhase())
	require.Equal(t, 2, e.sim.Stats().VMsCreated-before, "one VM, then one more")
	require.Zero(t, e.sim.Stats().DuplicateVMs)
	_, err := e.cloud.FindVM(t.Context(), hostname)
	require.True(t, cloud.IsNotFound(err), "the VM that never joined is deleted: %v", err)
	require.Equal(t, 2, countKind(rec.all(), rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONING))
	requireEventsWithoutGaps(t, rec.all(), rebalancerv1.EventKind_EVENT_KIND_EXECUTION_FAILED)
}
