package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	policyv1 "k8s.io/api/policy/v1"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/testbed/plantest"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
)

// small is a Deployment of four guarded by maxUnavailable 1, and a DaemonSet.
func small(ns string) fixtures.Workloads {
	return fixtures.Workloads{
		Deployments: []*appsv1.Deployment{fixtures.Deployment(ns, "api", ns, 4)},
		PDBs:        []*policyv1.PodDisruptionBudget{fixtures.PDBMaxUnavailable(ns, "api", 1)},
		DaemonSets:  []*appsv1.DaemonSet{fixtures.DaemonSet(ns, "node-agent", ns)},
	}
}

func TestSurgePlanMakesEachReplacementBeforeBreakingItsOldNode(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	old := e.createGroup(current, 2)
	w := small(e.ns)
	w.Create(t, e.sb)
	w.WaitRunning(t, e.sb, 2)
	plan := e.plan(plantest.Spec{Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_SURGE,
		Replace: old, GroupSize: 2, Target: "compute-4", DrainTimeout: 60 * time.Second})
	rec := &recorder{}
	m := e.monitor(old, 2, false, rec)
	final := e.run(plan, rec)
	requireNoViolations(t, m)

	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED, final.GetStatus(), "errors: %v", final.GetErrors())
	require.EqualValues(t, 2, final.GetResult().GetNodesReplaced())
	e.requireReplaced(old, 2, "compute-4")
	events := rec.all()
	requireEventsWithoutGaps(t, events, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_SUCCEEDED)
	requireNodeStepsInOrder(t, events, old)
	// Lanes: each old node waits for its own replacement (requireNodeStepsInOrder),
	// not for the whole batch's.
	require.Equal(t, 2, countKind(events, rebalancerv1.EventKind_EVENT_KIND_NODE_READY))
	fixtures.WaitPodsRunning(t, e.sb, e.ns, "app=api", 4)
}

func TestBlueGreenPlanDrainsBlueOnlyOnceTheWholeGreenSetIsReady(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	old := e.createGroup(current, 2)
	w := small(e.ns)
	w.Create(t, e.sb)
	w.WaitRunning(t, e.sb, 2)
	plan := e.plan(plantest.Spec{Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_BLUE_GREEN,
		Replace: old, GroupSize: 2, Target: "compute-4", DrainTimeout: 60 * time.Second})
	rec := &recorder{}
	m := e.monitor(old, 2, true, rec)
	final := e.run(plan, rec)
	requireNoViolations(t, m)

	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED, final.GetStatus(), "errors: %v", final.GetErrors())
	require.EqualValues(t, 2, final.GetResult().GetNodesReplaced())
	e.requireReplaced(old, 2, "compute-4")
	events := rec.all()
	requireEventsWithoutGaps(t, events, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_SUCCEEDED)
	requireNodeStepsInOrder(t, events, old)
	require.Equal(t, 3, countKind(events, rebalancerv1.EventKind_EVENT_KIND_BATCH_COMPLETED))
	fixtures.WaitPodsRunning(t, e.sb, e.ns, "app=api", 4)
}
