package nodestep

import (
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8stesting "k8s.io/client-go/testing"
)

var operatorTaint = corev1.Taint{Key: "example.com/dedicated", Value: "db", Effect: corev1.TaintEffectNoSchedule}

// Tainting and cordoning then restoring leaves the node exactly as it
// was, whether it was schedulable or already cordoned and excluded by
// someone else.
func TestRestoreMarksPutsBackExactlyWhatWasThere(t *testing.T) {
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
			require.NoError(t, u.r.taintOldNodes(ctx))
			empty := ""
			require.NoError(t, setCordon(ctx, u.r.env.Kube, "old-0", true, map[string]*string{LabelExcludeFromLB: &empty}))
			tainted, err := u.kube.CoreV1().Nodes().Get(ctx, "old-0", metav1.GetOptions{})
			require.NoError(t, err)
			require.True(t, tainted.Spec.Unschedulable)
			require.Contains(t, tainted.Spec.Taints, ReplacingTaint())
			note, ok := NoteOn(tainted)
			require.True(t, ok, "the original marks are noted on the node")
			require.Equal(t, "exec-1", note.Execution)
			require.Equal(t, DefaultInstallation, note.Installation)
			require.Equal(t, before.Spec.Taints, note.Taints)

			_, nb := u.n.state()
			u.kube.ClearActions()
			require.NoError(t, RestoreMarks(ctx, u.r.env.Kube, "old-0", nb.Original))
			require.Equal(t, 1, nodePatches(u.kube.Actions()), "cordon, labels, taints and note are restored in one patch")
			u.kube.ClearActions()
			require.NoError(t, RestoreMarks(ctx, u.r.env.Kube, "old-0", nb.Original))
			require.Zero(t, nodePatches(u.kube.Actions()), "a node restored already is not written")
			after, err := u.kube.CoreV1().Nodes().Get(ctx, "old-0", metav1.GetOptions{})
			require.NoError(t, err)
			require.Equal(t, before.Spec.Unschedulable, after.Spec.Unschedulable)
			require.Equal(t, before.Spec.Taints, after.Spec.Taints)
			require.Equal(t, before.Labels, after.Labels)
			require.Empty(t, after.Annotations, "the note is gone with the marks")
		})
	}
}

// The note and the replacing taint go on an old node in one PATCH, so the
// taint is never there without the note that undoes it; marking a node
// already marked writes nothing.
func TestMarkingAnOldNodeIsOnePatch(t *testing.T) {
	t.Parallel()
	u := newUnit(t)
	ctx := t.Context()
	before := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "old-0"}, Spec: corev1.NodeSpec{Taints: []corev1.Taint{operatorTaint}}}
	_, err := u.kube.CoreV1().Nodes().Create(ctx, before, metav1.CreateOptions{})
	require.NoError(t, err)
	u.kube.ClearActions()
	require.NoError(t, u.n.taint(ctx, nil))
	require.Equal(t, 1, nodePatches(u.kube.Actions()))
	marked, err := u.kube.CoreV1().Nodes().Get(ctx, "old-0", metav1.GetOptions{})
	require.NoError(t, err)
	require.Equal(t, []corev1.Taint{operatorTaint, ReplacingTaint()}, marked.Spec.Taints)
	_, ok := NoteOn(marked)
	require.True(t, ok)

	u.kube.ClearActions()
	require.NoError(t, u.n.taint(ctx, nil))
	require.Zero(t, nodePatches(u.kube.Actions()), "a node already marked is not written")
}

func nodePatches(actions []k8stesting.Action) int {
	n := 0
	for _, a := range actions {
		if a.GetVerb() == "patch" && a.GetResource().Resource == "nodes" {
			n++
		}
	}
	return n
}

// The old nodes are tainted over one listing of the group: no read a
// node.
func TestTaintingTheOldNodesListsThemOnce(t *testing.T) {
	t.Parallel()
	u := newUnit(t)
	ctx := t.Context()
	_, err := u.kube.CoreV1().Nodes().Create(ctx, groupNode("old-0"), metav1.CreateOptions{})
	require.NoError(t, err)
	u.kube.ClearActions()
	require.NoError(t, u.r.taintOldNodes(ctx))
	verbs := map[string]int{}
	for _, a := range u.kube.Actions() {
		if a.GetResource().Resource == "nodes" {
			verbs[a.GetVerb()]++
		}
	}
	require.Equal(t, map[string]int{"list": 1, "patch": 1}, verbs)
	require.True(t, u.x.OldNodesTainted())
}

// A node changed after it was listed (an operator cordoned it) is not
// marked over the listed copy: the patch fails its version test, the node
// is read again, and what it has now is recorded as its original marks,
// so a rollback leaves the operator's cordon.
func TestANodeChangedSinceListedIsRecordedAsItIsNow(t *testing.T) {
	t.Parallel()
	k := newSmallKube()
	k.addNode(groupNode("old-0"))
	u := newSmallUnit(t, k)
	listed := k.node("old-0")
	cordoned := k.node("old-0")
	cordoned.Spec.Unschedulable = true
	k.addNode(cordoned)

	require.NoError(t, u.n.taint(t.Context(), listed))
	_, nb := u.x.Node("old-0")
	require.NotNil(t, nb.Original)
	require.True(t, nb.Original.Unschedulable, "the cordon the node has now")
	marked := k.node("old-0")
	require.True(t, HasReplacingTaint(marked))
	note, ok := NoteOn(marked)
	require.True(t, ok)
	require.True(t, note.Unschedulable, "the note says so too")
}

// Marks recorded by an earlier attempt stay when the node carries ours:
// the node as read now has the execution's own taint, not its original.
func TestMarksRecordedBeforeAMarkOfOursStay(t *testing.T) {
	t.Parallel()
	k := newSmallKube()
	k.addNode(groupNode("old-0"))
	u := newSmallUnit(t, k)
	require.NoError(t, u.n.taint(t.Context(), nil))
	_, first := u.x.Node("old-0")

	require.NoError(t, u.n.taint(t.Context(), nil), "a resumed taint")
	_, again := u.x.Node("old-0")
	require.Equal(t, first.Original, again.Original)
	require.Empty(t, again.Original.Taints, "not the replacing taint")
}
