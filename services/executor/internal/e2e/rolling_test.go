package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/testbed/plantest"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
)

// realistic is the mix of the rolling test: Deployments guarded by PDBs
// (minAvailable and maxUnavailable), a single replica, a DaemonSet and a
// StatefulSet, all pinned to the group.
func realistic(ns string) fixtures.Workloads {
	return fixtures.Workloads{
		Deployments: []*appsv1.Deployment{
			fixtures.Deployment(ns, "web", ns, 3),
			fixtures.Deployment(ns, "api", ns, 4),
			fixtures.Deployment(ns, "singleton", ns, 1),
		},
		PDBs: []*policyv1.PodDisruptionBudget{
			fixtures.PDBMinAvailable(ns, "web", 2),
			fixtures.PDBMaxUnavailable(ns, "api", 1),
		},
		DaemonSets:   []*appsv1.DaemonSet{fixtures.DaemonSet(ns, "node-agent", ns)},
		StatefulSets: []*appsv1.StatefulSet{fixtures.StatefulSet(ns, "db", ns, 2)},
		Services:     []*corev1.Service{fixtures.HeadlessService(ns, "db")},
	}
}

// The main scenario runs in both provisioning modes: replacements added to
// the VPSie group of the target size (managed), or VMs booted with the
// group's user data (vm).
func TestRollingPlanReplacesEveryNodeKeepingTheInvariants(t *testing.T) {
	t.Parallel()
	for _, managed := range []bool{true, false} {
		t.Run(map[bool]string{true: "managed", false: "vm"}[managed], func(t *testing.T) {
			t.Parallel()
			rollingReplacesEveryNode(t, managed)
		})
	}
}

func rollingReplacesEveryNode(t *testing.T, managed bool) {
	e := newEnv(t)
	e.managed = managed
	old := e.createGroup(current, 3)
	w := realistic(e.ns)
	w.Create(t, e.sb)
	w.WaitRunning(t, e.sb, 3)

	plan := e.plan(plantest.Spec{Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
		Replace: old, GroupSize: 3, Target: "compute-4", DrainTimeout: 60 * time.Second})
	rec := &recorder{}
	m := e.monitor(old, 3, false, rec)
	start := time.Now()
	final := e.run(plan, rec)
	elapsed := time.Since(start)
	requireNoViolations(t, m)

	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED, final.GetStatus(), "errors: %v", final.GetErrors())
	r := final.GetResult()
	require.EqualValues(t, 3, r.GetNodesReplaced())
	require.Zero(t, r.GetNodesFailed())
	require.Zero(t, r.GetOrphanVms())
	require.Zero(t, r.GetPdbViolations())
	require.EqualValues(t, 3*(4800-2400), r.GetRealizedMonthlySavingsCents())
	e.requireReplaced(old, 3, "compute-4")
	e.requireGroupStatus("Succeeded")
	events := rec.all()
	requireEventsWithoutGaps(t, events, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_SUCCEEDED)
	requireNodeStepsInOrder(t, events, old)
	require.Positive(t, countKind(events, rebalancerv1.EventKind_EVENT_KIND_POD_EVICTED))
	// Every workload is back in full on the new nodes (DaemonSet pods of
	// deleted nodes are left to the pod garbage collector's 40 s quarantine).
	for _, d := range w.Deployments {
		fixtures.WaitPodsRunning(t, e.sb, e.ns, "app="+d.Name, int(*d.Spec.Replicas))
	}
	fixtures.WaitPodsRunning(t, e.sb, e.ns, "app=db", 2)
	if managed {
		e.requireManagedReplacements(old)
	}
	t.Logf("rolling: 3 nodes replaced in %s (%.1f nodes/minute), %d events", elapsed.Round(100*time.Millisecond),
		3/elapsed.Minutes(), len(events))
}
