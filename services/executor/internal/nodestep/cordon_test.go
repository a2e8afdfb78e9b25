package nodestep

import (
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// groupNode is a Ready, schedulable member of group web.
func groupNode(name string) *corev1.Node {
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{v1alpha1.LabelNodeGroup: "web"}},
		Status:     corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}},
	}
}

// cordonUnit is old-0, READY to be cordoned, with an operator's taint,
// and its Ready replacement new-0, against the small fake.
func cordonUnit(t *testing.T) (*unit, *smallKube, *corev1.Node) {
	t.Helper()
	k := newSmallKube()
	old := groupNode("old-0")
	old.Spec.Taints = []corev1.Taint{operatorTaint}
	k.addNode(old)
	k.addNode(groupNode("new-0"))
	u := newSmallUnit(t, k)
	u.x.rec.Plan.MinHealthyNodes = 1
	require.NoError(t, u.n.enter(t.Context(), rebalancerv1.NodePhase_NODE_PHASE_READY, nil))
	return u, k, old
}

// A cordon repeated after a crash that lost its records (the node already
// tainted and cordoned, the record saying neither) leaves the node as one
// cordon does, keeps as the original marks what the node had before the
// first, not the execution's own, and adds no second taint; a finished
// cordon is not repeated at all.
func TestACordonRepeatedAfterACrashKeepsTheOriginalMarks(t *testing.T) {
	t.Parallel()
	u, k, before := cordonUnit(t)
	ctx := t.Context()
	require.NoError(t, u.n.Run(ctx, CordonSteps))
	once := k.node("old-0")
	require.True(t, once.Spec.Unschedulable)
	require.Equal(t, []corev1.Taint{operatorTaint, ReplacingTaint()}, once.Spec.Taints)
	require.Equal(t, "", once.Labels[LabelExcludeFromLB])
	taintPatches := k.written("patch node old-0 (application/json-patch+json)")
	require.Equal(t, 1, taintPatches)

	require.NoError(t, u.x.write(func(r *store.Record) {
		r.Book.OldNodesTainted = false
		stateOf(r, "old-0").Phase = rebalancerv1.NodePhase_NODE_PHASE_READY
	}))
	require.NoError(t, u.n.Run(ctx, CordonSteps))

	twice := k.node("old-0")
	require.Equal(t, once.Spec, twice.Spec)
	require.Equal(t, once.Labels, twice.Labels)
	require.Equal(t, taintPatches, k.written("patch node old-0 (application/json-patch+json)"), "no second taint")
	_, nb := u.n.state()
	require.False(t, nb.Original.Unschedulable, "what the node had before the first cordon")
	require.Equal(t, []corev1.Taint{operatorTaint}, nb.Original.Taints)
	require.Empty(t, nb.Original.Labels)
	require.Equal(t, rebalancerv1.NodePhase_NODE_PHASE_CORDONED, u.n.Phase())

	writes := k.written("")
	require.NoError(t, u.n.Run(ctx, CordonSteps))
	require.Equal(t, writes, k.written(""), "a cordoned node is not cordoned again")

	require.NoError(t, RestoreMarks(ctx, k, "old-0", nb.Original))
	after := k.node("old-0")
	require.Equal(t, before.Spec.Taints, after.Spec.Taints)
	require.False(t, after.Spec.Unschedulable)
	require.NotContains(t, after.Labels, LabelExcludeFromLB)
	require.NotContains(t, after.Annotations, AnnotationOriginalMarks)
}
