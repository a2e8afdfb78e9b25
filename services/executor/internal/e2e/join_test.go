package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/naming"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
	"github.com/vpsie/node-rebalancer/testbed/plantest"
)

// A replacement that never joins has its VM deleted and is asked for once
// more, under a fresh hostname (so the retry can never find the VM being
// deleted); when that one does not join either, the node fails, the plan
// rolls back, and no VM is left behind.
func TestReplacementThatNeverJoinsIsRetriedOnceThenFailsTheNode(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	old := e.createGroup(current, 1)
	plan := e.plan(plantest.Spec{Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
		Replace: old, GroupSize: 1, Target: "compute-4", DrainTimeout: time.Minute, ProvisionTimeout: 3 * time.Second})
	hostname := naming.Hostname(plan.GetPlanId(), old[0].Name, 1)
	retried := naming.Hostname(plan.GetPlanId(), old[0].Name, 2)
	require.NotEqual(t, hostname, retried)
	require.NoError(t, e.sim.NeverJoin(hostname))
	require.NoError(t, e.sim.NeverJoin(retried))
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
	for _, h := range []string{hostname, retried} {
		_, err := e.cloud.FindVM(t.Context(), h)
		require.True(t, cloud.IsNotFound(err), "the VM %s that never joined is deleted: %v", h, err)
	}
	require.Equal(t, 2, countKind(rec.all(), rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONING))
	requireEventsWithoutGaps(t, rec.all(), rebalancerv1.EventKind_EVENT_KIND_EXECUTION_FAILED)
}

// In the managed mode a node VPSie added that never registers is given up
// on: a second node is asked of the group; when neither joins, the node
// fails, the plan rolls back, and the cluster holds the old node alone:
// neither node VPSie added bills on.
func TestManagedReplacementThatNeverJoinsIsRetriedOnceThenFailsTheNode(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.managed = true
	old := e.createGroup(current, 1)
	require.NoError(t, e.sim.NeverJoinGroup("group-compute-4"))
	plan := e.plan(plantest.Spec{Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
		Replace: old, GroupSize: 1, Target: "compute-4", DrainTimeout: time.Minute, ProvisionTimeout: 4 * time.Second})
	rec := &recorder{}
	m := e.monitor(old, 1, false, rec)
	final := e.run(plan, rec)
	requireNoViolations(t, m)

	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLED_BACK, final.GetStatus())
	require.EqualValues(t, 1, final.GetResult().GetNodesFailed())
	require.Equal(t, 2, countKind(rec.all(), rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONING))
	c, err := e.cloud.GetKubeCluster(t.Context(), catalog.ID("cluster", e.ns))
	require.NoError(t, err)
	require.Len(t, c.Nodes, 1, "both nodes that never joined were deleted at VPSie")
	require.Equal(t, old[0].Spec.ProviderID, c.Nodes[0].ProviderID())
}
