package engine

import (
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/accept"
	"github.com/vpsie/node-rebalancer/services/executor/internal/nodestep"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

func (u *unit) node(t *testing.T, name string) *corev1.Node {
	t.Helper()
	n, err := u.kube.CoreV1().Nodes().Get(t.Context(), name, metav1.GetOptions{})
	require.NoError(t, err)
	return n
}

func taintedNode(name string) *corev1.Node {
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{LabelExcludeFromLB: "true"}},
		Spec: corev1.NodeSpec{Unschedulable: true, Taints: []corev1.Taint{nodestep.ReplacingTaint(),
			{Key: "dedicated", Value: "db", Effect: corev1.TaintEffectNoSchedule}}},
	}
}

func TestReconcileRestoresOnlyNodesOfEndedOrLostExecutions(t *testing.T) {
	t.Parallel()
	u := newUnit(t)
	ctx := t.Context()
	for _, name := range []string{"old-0", "orphan", "running-0"} {
		_, err := u.kube.CoreV1().Nodes().Create(ctx, taintedNode(name), metav1.CreateOptions{})
		require.NoError(t, err)
	}
	// lost-0 was tainted by an execution the store no longer holds; what it
	// had is noted on the node.
	noted := func(name, installation string) {
		n := taintedNode(name)
		n.Annotations = map[string]string{AnnotationOriginalMarks: `{"installation":"` + installation +
			`","execution":"exec-gone","taints":[{"key":"dedicated","value":"db","effect":"NoSchedule"}]}`}
		_, err := u.kube.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{})
		require.NoError(t, err)
	}
	noted("lost-0", DefaultInstallation)
	// elsewhere-0 was tainted by another installation sharing the cluster.
	noted("elsewhere-0", "staging")
	// exec-1 (the unit's) ended after tainting old-0, which was cordoned
	// before; exec-2 still runs and tainted running-0.
	require.NoError(t, u.x.update(ctx, func(r *store.Record) {
		r.State.Status = rebalancerv1.ExecutionStatus_EXECUTION_STATUS_FAILED
		r.Book.NodeBook("old-0").Original = &store.Marks{Unschedulable: true, Taints: []corev1.Taint{{Key: "dedicated", Value: "db", Effect: corev1.TaintEffectNoSchedule}}}
	}))
	running := u.x.rec.Clone()
	running.State.ExecutionId, running.State.Status = "exec-2", rebalancerv1.ExecutionStatus_EXECUTION_STATUS_RUNNING
	running.Book.Nodes = map[string]*store.NodeBook{"running-0": {Original: &store.Marks{}}}
	_, err := u.x.deps.Store.Create(ctx, running)
	require.NoError(t, err)

	e := New(*u.x.deps, accept.Checker{}, nil)
	t.Cleanup(e.Stop)
	require.NoError(t, e.Reconcile(ctx))

	restored := u.node(t, "old-0")
	require.True(t, restored.Spec.Unschedulable, "cordoned before the execution: stays cordoned")
	require.Equal(t, []corev1.Taint{{Key: "dedicated", Value: "db", Effect: corev1.TaintEffectNoSchedule}}, restored.Spec.Taints)
	require.NotContains(t, restored.Labels, LabelExcludeFromLB)

	restoredFromNote := u.node(t, "lost-0")
	require.False(t, restoredFromNote.Spec.Unschedulable, "schedulable before, by the note")
	require.Equal(t, []corev1.Taint{{Key: "dedicated", Value: "db", Effect: corev1.TaintEffectNoSchedule}}, restoredFromNote.Spec.Taints)
	require.NotContains(t, restoredFromNote.Annotations, AnnotationOriginalMarks)

	require.Contains(t, u.node(t, "elsewhere-0").Spec.Taints, nodestep.ReplacingTaint(), "another installation's node is its own")

	orphan := u.node(t, "orphan")
	require.Contains(t, orphan.Spec.Taints, nodestep.ReplacingTaint(), "no record nor note of its original marks: reported, not guessed")

	untouched := u.node(t, "running-0")
	require.Contains(t, untouched.Spec.Taints, nodestep.ReplacingTaint(), "a running execution's node is its owner's")
}

// Regression: with the reconcile running every few seconds, a node an
// ended execution once tainted, then tainted again by one now running,
// must be left to the running one, even when the records the pass reads
// do not show the running one's marks yet: the note on the node names the
// execution that tainted it last. The old rule (the record that holds the
// node's marks, preferring a running one) restored it from the ended
// execution's record, taking the node back mid-execution.
func TestReconcileLeavesANodeItsNoteSaysARunningExecutionTainted(t *testing.T) {
	t.Parallel()
	u := newUnit(t)
	ctx := t.Context()
	n := taintedNode("old-0")
	n.Annotations = map[string]string{AnnotationOriginalMarks: `{"installation":"` + DefaultInstallation + `","execution":"exec-2"}`}
	_, err := u.kube.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{})
	require.NoError(t, err)
	require.NoError(t, u.x.update(ctx, func(r *store.Record) {
		r.State.Status = rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED
		r.Book.NodeBook("old-0").Original = &store.Marks{}
	}))
	running := u.x.rec.Clone()
	running.State.ExecutionId, running.State.Status = "exec-2", rebalancerv1.ExecutionStatus_EXECUTION_STATUS_RUNNING
	running.Book.Nodes = nil // its marks of old-0 not among the records read
	_, err = u.x.deps.Store.Create(ctx, running)
	require.NoError(t, err)

	e := New(*u.x.deps, accept.Checker{}, nil)
	t.Cleanup(e.Stop)
	require.NoError(t, e.Reconcile(ctx))
	require.Contains(t, u.node(t, "old-0").Spec.Taints, nodestep.ReplacingTaint(), "the running execution's node")
	require.True(t, u.node(t, "old-0").Spec.Unschedulable)
}
