package nodestep

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// notReadyYet is a node whose Ready condition is already True but which
// still carries the control plane's not-ready taint, as a node does for a
// moment after it joins: the scheduler still avoids it.
func notReadyYet(name string) *corev1.Node {
	n := groupNode(name)
	n.Spec.Taints = []corev1.Taint{{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoSchedule}}
	return n
}

// The capacity floor counts the nodes that serve: Ready and schedulable,
// whatever the replacing taint (it keeps new pods away, not capacity), and
// never a node Ready by its condition but still tainted not-ready.
func TestTheFloorCountsOnlyServingNodes(t *testing.T) {
	t.Parallel()
	tainted := groupNode("tainted")
	tainted.Spec.Taints = []corev1.Taint{ReplacingTaint()}
	cordoned := groupNode("cordoned")
	cordoned.Spec.Unschedulable = true
	unready := groupNode("unready")
	unready.Status.Conditions[0].Status = corev1.ConditionFalse
	for name, tc := range map[string]struct {
		node  *corev1.Node
		count int
	}{
		"Ready and schedulable":                 {groupNode("ready"), 1},
		"carrying the replacing taint":          {tainted, 1},
		"cordoned":                              {cordoned, 0},
		"not Ready":                             {unready, 0},
		"Ready but still tainted not-ready":     {notReadyYet("joining"), 0},
		"Ready but tainted unreachable as well": {withTaint(groupNode("lost"), corev1.TaintNodeUnreachable), 0},
	} {
		count, _ := countServing([]corev1.Node{*tc.node}, nil)
		require.Equal(t, tc.count, count, name)
	}
}

func withTaint(n *corev1.Node, key string) *corev1.Node {
	n.Spec.Taints = append(n.Spec.Taints, corev1.Taint{Key: key, Effect: corev1.TaintEffectNoExecute})
	return n
}

// With a floor of one, old-0 is cordoned only while another node serves:
// a replacement Ready by its condition but still tainted not-ready does
// not, so the cordon waits out the provision timeout and refuses.
func TestNoCordonOnTheStrengthOfANodeStillTaintedNotReady(t *testing.T) {
	t.Parallel()
	k := newSmallKube()
	k.addNode(groupNode("old-0"))
	k.addNode(notReadyYet("new-0"))
	u := newSmallUnit(t, k)
	u.x.rec.Plan.MinHealthyNodes = 1

	err := u.stepping(10*time.Second, func() error { return u.r.cordonNodes(t.Context(), []*Node{u.n}) })

	var f *Failure
	require.ErrorAs(t, err, &f)
	require.Contains(t, f.Message, "would leave 0 Ready, schedulable nodes, below the floor of 1")
	require.False(t, k.node("old-0").Spec.Unschedulable, "not cordoned")
	require.Zero(t, k.written("patch node old-0"))
}

// A replacement that registered and reports Ready but still carries the
// not-ready taint has not joined: the join waits for the taint to go, and
// at the provision timeout (its last attempt here) the node fails while
// joining; without the taint it joins at once.
func TestJoinWaitsForTheNotReadyTaintToGo(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		node   *corev1.Node
		joined bool
	}{
		"Ready":                          {node: groupNode("new-0"), joined: true},
		"Ready, still tainted not-ready": {node: notReadyYet("new-0")},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			k := newSmallKube()
			tc.node.Spec.ProviderID = v1alpha1.ProviderID("vm-new")
			k.addNode(tc.node)
			u := newSmallUnit(t, k)
			now := u.clock.Now()
			require.NoError(t, u.n.enter(t.Context(), rebalancerv1.NodePhase_NODE_PHASE_JOINING, func(ne *rebalancerv1.NodeExecution, nb *store.NodeBook) {
				ne.NewVmIdentifier, ne.NewHostname = "vm-new", "new-host"
				nb.ProvisionStartedAt, nb.ProvisionAttempts = now, maxProvisionAttempts
			}))

			joining := make(chan error, 1)
			go func() { joining <- join(t.Context(), u.n) }()
			if tc.joined {
				require.NoError(t, <-joining, "no time passes")
				require.Equal(t, rebalancerv1.NodePhase_NODE_PHASE_READY, u.n.Phase())
				return
			}
			// The node was listed once the join watches; only then does the
			// provision timeout pass.
			require.Eventually(t, func() bool { return k.watched() > 0 }, 10*time.Second, time.Millisecond)
			err := u.stepping(time.Minute, func() error { return <-joining })
			var f *Failure
			require.ErrorAs(t, err, &f)
			require.Equal(t, rebalancerv1.NodePhase_NODE_PHASE_JOINING, f.Phase)
			require.Equal(t, rebalancerv1.NodePhase_NODE_PHASE_JOINING, u.n.Phase(), "never READY")
			require.Empty(t, u.x.eventsOf(rebalancerv1.EventKind_EVENT_KIND_NODE_READY))
		})
	}
}

// Read from the node informer, the floor counts a node this execution
// cordoned as cordoned before the informer shows it: here the informer
// never will (the cordon of old-1 is only noted), and with a floor of one
// the cordon of old-0 must wait, then refuse. Without the note it goes.
func TestTheCachedFloorCountsThisExecutionsCordonsAtOnce(t *testing.T) {
	t.Parallel()
	for _, noted := range []bool{true, false} {
		u, _ := newCachedUnit(t, groupNode("old-0"), groupNode("old-1"))
		u.x.rec.Plan.MinHealthyNodes = 1
		u.x.rec.State.Nodes[0].Phase = rebalancerv1.NodePhase_NODE_PHASE_READY
		if noted {
			u.r.noteCordoned("old-1")
		}
		err := u.stepping(10*time.Second, func() error { return u.r.cordonNodes(t.Context(), []*Node{u.n}) })
		if !noted {
			require.NoError(t, err)
			continue
		}
		var f *Failure
		require.ErrorAs(t, err, &f)
		require.Contains(t, f.Message, "would leave 0 Ready, schedulable nodes, below the floor of 1")
	}
}

// An old node an earlier owner of the execution cordoned counts cordoned
// by its recorded phase, up to its deletion.
func TestTheCachedFloorCountsCordonsRecordedByAnEarlierOwner(t *testing.T) {
	t.Parallel()
	u, _ := newCachedUnit(t, groupNode("old-0"))
	for phase, cordoned := range map[rebalancerv1.NodePhase]bool{
		rebalancerv1.NodePhase_NODE_PHASE_READY: false, rebalancerv1.NodePhase_NODE_PHASE_CORDONED: true,
		rebalancerv1.NodePhase_NODE_PHASE_DRAINED: true, rebalancerv1.NodePhase_NODE_PHASE_DONE: true,
		rebalancerv1.NodePhase_NODE_PHASE_FAILED: false,
	} {
		u.x.rec.State.Nodes[0].Phase = phase
		require.Equal(t, cordoned, u.r.cordonedHere("old-0"), phase.String())
	}
}
