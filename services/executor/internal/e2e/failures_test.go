package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/naming"
	"github.com/vpsie/node-rebalancer/testbed/plantest"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
)

// ownTaint is a taint the operator put on the old node before the
// rebalance; a rollback must leave it exactly as it was.
var ownTaint = corev1.Taint{Key: "example.com/dedicated", Value: "web", Effect: corev1.TaintEffectPreferNoSchedule}

// blocked sets up a group of two where every pod of "guarded" is refused
// eviction (PDB minAvailable = replicas), plus a free Deployment, and
// returns the node to replace with its taints.
func blocked(t testing.TB, e *env) (*corev1.Node, fixtures.Workloads) {
	t.Helper()
	nodes := e.createGroup(current, 2)
	patch, err := json.Marshal(map[string]any{"spec": map[string]any{"taints": []corev1.Taint{ownTaint}}})
	require.NoError(t, err)
	old, err := e.sb.Client.CoreV1().Nodes().Patch(t.Context(), nodes[0].Name, types.StrategicMergePatchType, patch, metav1.PatchOptions{})
	require.NoError(t, err)
	// Every pod starts on the node being replaced (the other one is
	// cordoned meanwhile), so its drain meets the budget.
	e.setCordon(nodes[1].Name, true)
	w := fixtures.Workloads{
		Deployments: []*appsv1.Deployment{fixtures.Deployment(e.ns, "guarded", e.ns, 2), fixtures.Deployment(e.ns, "free", e.ns, 2)},
		PDBs:        []*policyv1.PodDisruptionBudget{fixtures.PDBMinAvailable(e.ns, "guarded", 2)},
	}
	w.Create(t, e.sb)
	w.WaitRunning(t, e.sb, 2)
	e.setCordon(nodes[1].Name, false)
	return old, w
}

func TestDrainBlockedByAPDBRollsBackAndRestoresTheOldNode(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	old, _ := blocked(t, e)
	plan := e.plan(plantest.Spec{Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
		Replace: []*corev1.Node{old}, GroupSize: 2, Target: "compute-4", DrainTimeout: 3 * time.Second,
		OnTimeout: rebalancerv1.DrainTimeoutAction_DRAIN_TIMEOUT_ACTION_ROLLBACK})
	rec := &recorder{}
	m := e.monitor([]*corev1.Node{old}, 2, false, rec)
	final := e.run(plan, rec)
	requireNoViolations(t, m)

	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLED_BACK, final.GetStatus())
	r := final.GetResult()
	require.EqualValues(t, 0, r.GetNodesReplaced())
	require.EqualValues(t, 1, r.GetNodesFailed())
	require.Zero(t, r.GetRealizedMonthlySavingsCents())
	require.Zero(t, r.GetOrphanVms())
	require.Len(t, final.GetFailedNodes(), 1)
	f := final.GetFailedNodes()[0]
	require.Equal(t, rebalancerv1.NodePhase_NODE_PHASE_DRAINING, f.GetPhase())
	require.Equal(t, []string{e.ns + "/guarded"}, f.GetBlockingPdbs())
	require.Len(t, f.GetBlockingPods(), 2)

	after, err := e.sb.Client.CoreV1().Nodes().Get(t.Context(), old.Name, metav1.GetOptions{})
	require.NoError(t, err)
	require.False(t, after.Spec.Unschedulable, "old node uncordoned")
	require.Equal(t, old.Spec.Taints, after.Spec.Taints, "old node's taints restored exactly")
	require.NotContains(t, after.Labels, "node.kubernetes.io/exclude-from-external-load-balancers")
	_, err = e.cloud.FindVM(t.Context(), naming.Hostname(plan.GetPlanId(), old.Name, 1))
	require.True(t, cloud.IsNotFound(err), "replacement VM deleted: %v", err)
	require.Len(t, e.groupNodes(), 2)
	e.requireGroupStatus("RolledBack")

	events := rec.all()
	requireEventsWithoutGaps(t, events, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_FAILED)
	blockedEvents := 0
	for _, ev := range events {
		if ev.GetKind() == rebalancerv1.EventKind_EVENT_KIND_EVICTION_BLOCKED {
			blockedEvents++
			require.Equal(t, e.ns+"/guarded", ev.GetDetails()["pdb"])
			require.True(t, strings.HasPrefix(ev.GetDetails()["pod"], e.ns+"/guarded-"), ev.GetDetails()["pod"])
		}
	}
	require.Positive(t, blockedEvents)
	for _, kind := range []rebalancerv1.EventKind{rebalancerv1.EventKind_EVENT_KIND_NODE_DRAIN_TIMEOUT,
		rebalancerv1.EventKind_EVENT_KIND_NODE_FAILED, rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_STARTED,
		rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_COMPLETED} {
		require.Equal(t, 1, countKind(events, kind), kind.String())
	}
	fixtures.WaitPodsRunning(t, e.sb, e.ns, "app=free", 2)
}

func TestDrainTimeoutWithPolicyForceDeletesTheBlockedPodsAndSaysSo(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	old, _ := blocked(t, e)
	// Pods go past their budgets only where the group says so: drain
	// timeout action force, PodDisruptionBudgets not respected.
	plan := e.plan(plantest.Spec{Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
		Replace: []*corev1.Node{old}, GroupSize: 2, Target: "compute-4", DrainTimeout: 3 * time.Second,
		OnTimeout: rebalancerv1.DrainTimeoutAction_DRAIN_TIMEOUT_ACTION_FORCE, IgnorePDBs: true})
	rec := &recorder{}
	m := e.monitor([]*corev1.Node{old}, 2, false, rec)
	final := e.run(plan, rec)
	requireNoViolations(t, m)

	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED, final.GetStatus(), "errors: %v", final.GetErrors())
	require.EqualValues(t, 1, final.GetResult().GetNodesReplaced())
	require.EqualValues(t, 2, final.GetResult().GetPdbViolations(), "the two forced pods are counted")
	forced := rec.forced()
	require.Len(t, forced, 2)
	for _, pod := range forced {
		require.True(t, strings.HasPrefix(pod, e.ns+"/guarded-"), pod)
	}
	for _, ev := range rec.all() {
		if ev.GetKind() == rebalancerv1.EventKind_EVENT_KIND_POD_FORCE_DELETED {
			require.Equal(t, e.ns+"/guarded", ev.GetDetails()["pdb"])
		}
	}
	e.requireReplaced([]*corev1.Node{old}, 2, "compute-4")
	fixtures.WaitPodsRunning(t, e.sb, e.ns, "app=guarded", 2)
}

func (e *env) setCordon(node string, on bool) {
	e.t.Helper()
	patch, err := json.Marshal(map[string]any{"spec": map[string]any{"unschedulable": on}})
	require.NoError(e.t, err)
	_, err = e.sb.Client.CoreV1().Nodes().Patch(e.t.Context(), node, types.StrategicMergePatchType, patch, metav1.PatchOptions{})
	require.NoError(e.t, err)
}
