package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/testbed/invariants"
	"github.com/vpsie/node-rebalancer/testbed/plantest"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
)

// guardedGroup is a group of nodes old nodes running two pods each of one
// Deployment under a maxUnavailable-1 PDB: a drain resumed after a crash
// has a refused eviction to wait out, not a single pod to move.
func (e *env) guardedGroup(t *testing.T, nodes int) []*corev1.Node {
	t.Helper()
	old := e.createGroup(current, nodes)
	w := fixtures.Workloads{
		Deployments: []*appsv1.Deployment{fixtures.Deployment(e.ns, "web", e.ns, int32(2*nodes))},
		PDBs:        []*policyv1.PodDisruptionBudget{fixtures.PDBMaxUnavailable(e.ns, "web", 1)},
	}
	w.Create(t, e.sb)
	w.WaitRunning(t, e.sb, nodes)
	return old
}

// submitRolling submits a rolling plan replacing old to r, under the
// invariant monitor, and returns the monitor and the execution's ID. The
// drain timeout outlasts the disruption controller's two minutes, for the
// reason given in the takeover test.
func (e *env) submitRolling(t *testing.T, r *replica, old []*corev1.Node, rec *recorder) (*invariants.Monitor, string) {
	t.Helper()
	plan := e.plan(plantest.Spec{Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
		Replace: old, GroupSize: len(old), Target: "compute-4", DrainTimeout: 150 * time.Second})
	m := e.monitor(old, len(old), false, rec)
	resp, err := r.api.ExecutePlan(t.Context(), &rebalancerv1.ExecutePlanRequest{Plan: plan})
	require.NoError(t, err)
	return m, resp.GetExecution().GetExecutionId()
}
