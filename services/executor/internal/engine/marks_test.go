package engine

import (
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

var operatorTaint = corev1.Taint{Key: "example.com/dedicated", Value: "db", Effect: corev1.TaintEffectNoSchedule}

// Marking then restoring leaves the node exactly as it was, whether it was
// schedulable or already cordoned and excluded by someone else.
func TestRestoreOldNodePutsBackExactlyWhatWasThere(t *testing.T) {
	t.Parallel()
	for name, before := range map[string]*corev1.Node{
		"schedulable with an operator taint": {
			ObjectMeta: metav1.ObjectMeta{Name: "old-0", Labels: map[string]string{"tier": "web"}},
			Spec:       corev1.NodeSpec{Taints: []corev1.Taint{operatorTaint}},
		},
		"already cordoned and excluded": {
			ObjectMeta: metav1.ObjectMeta{Name: "old-0", Labels: map[string]string{LabelExcludeFromLB: "true"}},
			Spec:       corev1.NodeSpec{Unschedulable: true},
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u := newUnit(t)
			ctx := t.Context()
			_, err := u.kube.CoreV1().Nodes().Create(ctx, before.DeepCopy(), metav1.CreateOptions{})
			require.NoError(t, err)
			require.NoError(t, u.x.markOldNodes(ctx))
			empty := ""
			require.NoError(t, u.x.setCordon(ctx, "old-0", true, map[string]*string{LabelExcludeFromLB: &empty}))
			marked, err := u.kube.CoreV1().Nodes().Get(ctx, "old-0", metav1.GetOptions{})
			require.NoError(t, err)
			require.True(t, marked.Spec.Unschedulable)
			require.Contains(t, marked.Spec.Taints, replacingTaint())
			note, ok := noteOn(marked)
			require.True(t, ok, "the original marks are noted on the node")
			require.Equal(t, "exec-1", note.Execution)
			require.Equal(t, DefaultInstallation, note.Installation)
			require.Equal(t, before.Spec.Taints, note.Taints)

			var original *store.Marks
			u.x.view(func(r *store.Record) { original = r.Book.Nodes["old-0"].Original })
			require.NoError(t, u.x.restoreOldNode(ctx, "old-0", original))
			after, err := u.kube.CoreV1().Nodes().Get(ctx, "old-0", metav1.GetOptions{})
			require.NoError(t, err)
			require.Equal(t, before.Spec.Unschedulable, after.Spec.Unschedulable)
			require.Equal(t, before.Spec.Taints, after.Spec.Taints)
			require.Equal(t, before.Labels, after.Labels)
			require.Empty(t, after.Annotations, "the note is gone with the marks")
		})
	}
}

// The drain timeout counts from the drain's first start, as persisted: a
// resumed drain whose time ran out reports its blockers and fails the
// node (policy rollback) without evicting anything more.
func TestResumedDrainKeepsItsClock(t *testing.T) {
	t.Parallel()
	u := newUnit(t)
	ctx := t.Context()
	for _, name := range []string{"web-1", "web-2"} {
		_, err := u.kube.CoreV1().Pods("shop").Create(ctx, &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop", Labels: map[string]string{"app": "web"},
				OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web-1234", UID: "rs", Controller: ptrTrue()}}},
			Spec: corev1.PodSpec{NodeName: "old-0"},
		}, metav1.CreateOptions{})
		require.NoError(t, err)
	}
	started := u.clock.Now().Add(-2 * u.x.plan().GetPolicy().GetDrainTimeout().AsDuration())
	require.NoError(t, u.n.enter(ctx, rebalancerv1.NodePhase_NODE_PHASE_DRAINING, func(_ *rebalancerv1.NodeExecution, nb *store.NodeBook) {
		nb.DrainStartedAt = started
	}))
	u.kube.ClearActions()

	err := drain(ctx, u.n)
	var nerr *nodeError
	require.ErrorAs(t, err, &nerr)
	require.Equal(t, []string{"shop/web-1", "shop/web-2"}, nerr.pods)
	_, nb := u.n.state()
	require.Equal(t, started.UTC(), nb.DrainStartedAt.UTC(), "the clock was not restarted")
	for _, a := range u.kube.Actions() {
		require.NotEqual(t, "eviction", a.GetSubresource(), "nothing evicted after the timeout")
	}
	require.Contains(t, u.events.kinds(), rebalancerv1.EventKind_EVENT_KIND_NODE_DRAIN_TIMEOUT)
}

func ptrTrue() *bool { b := true; return &b }
