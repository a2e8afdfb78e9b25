package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/testbed/plantest"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
)

// Lanes beat lock-step: a rolling plan of two batches of two, whose
// second old node cannot drain (a PDB refuses its pods' evictions) until
// the first lane has replaced a node of the second batch. In lock-step
// the second batch would wait for the whole first one and never start;
// in lanes it goes on, and the budget is released only once it did.
func TestALaneGoesOnWhileAnotherLaneIsStillDraining(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	nodes := e.createGroup(current, 4)
	slow := nodes[1]
	for _, n := range nodes {
		e.setCordon(n.Name, n.Name != slow.Name)
	}
	w := fixtures.Workloads{
		Deployments: []*appsv1.Deployment{fixtures.Deployment(e.ns, "guarded", e.ns, 2)},
		PDBs:        []*policyv1.PodDisruptionBudget{fixtures.PDBMinAvailable(e.ns, "guarded", 2)},
	}
	w.Create(t, e.sb)
	w.WaitRunning(t, e.sb, 2)
	for _, n := range nodes {
		e.setCordon(n.Name, false)
	}

	plan := e.plan(plantest.Spec{Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
		Replace: nodes, GroupSize: 4, Target: "compute-4", DrainTimeout: 3 * time.Minute, Concurrency: 2})
	require.Len(t, plan.GetBatches(), 2)
	rec := &recorder{}
	m := e.monitor(nodes, 4, false, rec)
	st := e.submit(plan)
	ctx, cancel := context.WithTimeout(t.Context(), watchTimeout)
	defer cancel()
	released := false
	done := e.follow(ctx, st.GetExecutionId(), rec, func(ev *rebalancerv1.ExecutionEvent) {
		if !released && ev.GetKind() == rebalancerv1.EventKind_EVENT_KIND_NODE_TERMINATED && ev.GetNodeName() == nodes[2].Name {
			released = true
			_ = e.sb.Client.PolicyV1().PodDisruptionBudgets(e.ns).Delete(ctx, "guarded", metav1.DeleteOptions{})
		}
	})
	require.NoError(t, <-done)
	final := e.get(st.GetExecutionId())
	requireNoViolations(t, m)

	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED, final.GetStatus(), "errors: %v", final.GetErrors())
	require.True(t, released, "the first lane replaced a node of the second batch while the slow node still drained")
	e.requireReplaced(nodes, 4, "compute-4")
	events := rec.all()
	requireEventsWithoutGaps(t, events, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_SUCCEEDED)
	requireNodeStepsInOrder(t, events, nodes)
	requireLanes(t, events, map[string]string{nodes[0].Name: "lane-0", nodes[2].Name: "lane-0",
		nodes[1].Name: "lane-1", nodes[3].Name: "lane-1"})
}

// requireLanes checks every node event names the node's lane.
func requireLanes(t testing.TB, events []*rebalancerv1.ExecutionEvent, lanes map[string]string) {
	t.Helper()
	for _, ev := range events {
		if want, ok := lanes[ev.GetNodeName()]; ok && ev.GetKind() == rebalancerv1.EventKind_EVENT_KIND_NODE_READY {
			require.Equal(t, want, ev.GetDetails()["lane"], "lane of %s", ev.GetNodeName())
		}
	}
}
