package engine

import (
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	kubeevents "k8s.io/client-go/tools/events"
	clocktesting "k8s.io/utils/clock/testing"

	autoscalerfake "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/client/fake"
	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// story is a KubeStory over fakes, for group shop/web held by exec-1.
func story(t *testing.T, opts ...StoryOption) (*KubeStory, *kubeevents.FakeRecorder, *autoscalerfake.Clientset) {
	t.Helper()
	g := webGroup(nil)
	g.Status.ActiveExecution = &v1alpha1.ActiveExecution{ExecutionID: "exec-1", Installation: DefaultInstallation}
	g.Status.Conditions = []metav1.Condition{{Type: ConditionRebalancing, Status: metav1.ConditionTrue, Reason: "Running"}}
	groups := autoscalerfake.NewClientset(g)
	rec := kubeevents.NewFakeRecorder(100)
	s := newKubeStory(rec, fake.NewClientset(), groups, "", slog.New(slog.DiscardHandler), opts...)
	return s, rec, groups
}

func event(kind rebalancerv1.EventKind, node string, details map[string]string) *rebalancerv1.ExecutionEvent {
	return &rebalancerv1.ExecutionEvent{ExecutionId: "exec-1", Namespace: "shop", NodeGroup: "web", Kind: kind,
		NodeName: node, Message: kind.String() + " happened", Details: details}
}

// A replaced node tells three Normal Events: its replacement starting, on
// the old node; the replacement Ready, on the replacement; and it
// replaced, on the group, with the steps between counted in its note; the
// other steps between get none of their own.
func TestTheStoryWritesTwoEventsPerReplacedNodeWithTheStepsCounted(t *testing.T) {
	t.Parallel()
	s, rec, _ := story(t)
	for _, ev := range []*rebalancerv1.ExecutionEvent{
		event(rebalancerv1.EventKind_EVENT_KIND_EXECUTION_STARTED, "", nil),
		event(rebalancerv1.EventKind_EVENT_KIND_BATCH_STARTED, "", nil),
		event(rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONING, "old-0", nil),
		event(rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONED, "old-0", nil),
		event(rebalancerv1.EventKind_EVENT_KIND_NODE_READY, "old-0", map[string]string{"node": "new-0"}),
		event(rebalancerv1.EventKind_EVENT_KIND_NODE_CORDONED, "old-0", nil),
		event(rebalancerv1.EventKind_EVENT_KIND_NODE_DRAIN_STARTED, "old-0", nil),
		event(rebalancerv1.EventKind_EVENT_KIND_POD_EVICTED, "old-0", nil),
		event(rebalancerv1.EventKind_EVENT_KIND_POD_EVICTED, "old-0", nil),
		event(rebalancerv1.EventKind_EVENT_KIND_POD_ROLLED_OUT, "old-0", nil),
		event(rebalancerv1.EventKind_EVENT_KIND_NODE_DRAINED, "old-0", nil),
		event(rebalancerv1.EventKind_EVENT_KIND_NODE_TERMINATED, "old-0", nil),
		event(rebalancerv1.EventKind_EVENT_KIND_BATCH_COMPLETED, "", nil),
		event(rebalancerv1.EventKind_EVENT_KIND_EXECUTION_SUCCEEDED, "", nil),
	} {
		s.Mirror(ev)
	}
	s.Stop()
	require.Equal(t, []string{
		"Normal RebalanceStarted EVENT_KIND_EXECUTION_STARTED happened",
		"Normal ReplacementStarted EVENT_KIND_NODE_PROVISIONING happened", // the old node
		"Normal ReplacementReady EVENT_KIND_NODE_READY happened",          // the replacement
		"Normal NodeReplaced EVENT_KIND_NODE_TERMINATED happened (replacement new-0; after ReplacementProvisioned, " +
			"Cordoned, DrainStarted, Drained; 2 pods evicted, 1 rolled out)", // the group
		"Normal RebalanceSucceeded EVENT_KIND_EXECUTION_SUCCEEDED happened",
	}, drain(rec))
	require.Empty(t, s.steps, "forgotten at the node's and the execution's end")
}

// A Warning of a run going wrong or held is on the group and on the old
// node alike; the refused evictions are counted in the node's last Event
// too.
func TestTheStoryWritesWarningsOnTheGroupAndTheOldNode(t *testing.T) {
	t.Parallel()
	s, rec, _ := story(t)
	s.Mirror(event(rebalancerv1.EventKind_EVENT_KIND_NODE_READY, "old-0", map[string]string{"node": "new-0"}))
	s.Mirror(event(rebalancerv1.EventKind_EVENT_KIND_EVICTION_BLOCKED, "old-0", nil))
	s.Mirror(event(rebalancerv1.EventKind_EVENT_KIND_NODE_DRAIN_TIMEOUT, "old-0", nil))
	s.Mirror(event(rebalancerv1.EventKind_EVENT_KIND_NODE_FAILED, "old-0", nil))
	s.Mirror(event(rebalancerv1.EventKind_EVENT_KIND_EXECUTION_FAILED, "", map[string]string{"status": "EXECUTION_STATUS_ROLLED_BACK"}))
	s.Stop()
	failed := "Warning ReplacementFailed EVENT_KIND_NODE_FAILED happened (replacement new-0; evictions refused by a PDB: 1)"
	require.Equal(t, []string{
		"Normal ReplacementReady EVENT_KIND_NODE_READY happened",       // the replacement
		"Warning EvictionBlocked EVENT_KIND_EVICTION_BLOCKED happened", // the group
		"Warning EvictionBlocked EVENT_KIND_EVICTION_BLOCKED happened", // the old node
		"Warning DrainTimedOut EVENT_KIND_NODE_DRAIN_TIMEOUT happened", // the group
		"Warning DrainTimedOut EVENT_KIND_NODE_DRAIN_TIMEOUT happened", // the old node
		failed, failed,
		"Warning RebalanceRolledBack EVENT_KIND_EXECUTION_FAILED happened",
	}, drain(rec))
}

func TestTheStorySetsRebalanceBlockedAndTheProgress(t *testing.T) {
	t.Parallel()
	s, _, groups := story(t)
	s.Mirror(event(rebalancerv1.EventKind_EVENT_KIND_EVICTION_BLOCKED, "old-0", nil))
	s.Stop()
	ng, err := groups.NodeGroups("shop").Get(t.Context(), "web", metav1.GetOptions{})
	require.NoError(t, err)
	c := meta.FindStatusCondition(ng.Status.Conditions, ConditionRebalanceBlocked)
	require.NotNil(t, c)
	require.Equal(t, metav1.ConditionTrue, c.Status)
	require.Equal(t, "EvictionBlocked", c.Reason)

	s, _, groups = story(t)
	s.Mirror(event(rebalancerv1.EventKind_EVENT_KIND_BATCH_COMPLETED, "", nil))
	s.Stop()
	ng, err = groups.NodeGroups("shop").Get(t.Context(), "web", metav1.GetOptions{})
	require.NoError(t, err)
	require.Equal(t, metav1.ConditionFalse, meta.FindStatusCondition(ng.Status.Conditions, ConditionRebalanceBlocked).Status)
	require.Contains(t, meta.FindStatusCondition(ng.Status.Conditions, ConditionRebalancing).Message, "BATCH_COMPLETED happened")
}

func TestANilStoryTellsNothing(t *testing.T) {
	t.Parallel()
	var s *KubeStory
	s.Mirror(event(rebalancerv1.EventKind_EVENT_KIND_NODE_READY, "old-0", nil))
	s.Stop()
}

// The group is read once per execution for its Events, not once per Event.
func TestTheStoryReadsTheGroupOncePerExecution(t *testing.T) {
	t.Parallel()
	s, _, groups := story(t)
	for range 5 {
		s.Mirror(event(rebalancerv1.EventKind_EVENT_KIND_NODE_READY, "old-0", nil))
	}
	s.Mirror(event(rebalancerv1.EventKind_EVENT_KIND_EXECUTION_SUCCEEDED, "", nil))
	s.Stop()
	gets := 0
	for _, a := range groups.Actions() {
		if a.GetVerb() == "get" && a.GetResource().Resource == "nodegroups" && a.GetSubresource() == "" {
			gets++
		}
	}
	require.LessOrEqual(t, gets, 2, "one read for the Events, one for the final status write at most")
	require.Empty(t, s.refs, "forgotten at the execution's end")
}

// statusWrites counts the group's status writes.
func statusWrites(groups *autoscalerfake.Clientset) int {
	n := 0
	for _, a := range groups.Actions() {
		if a.GetVerb() == "update" && a.GetSubresource() == "status" {
			n++
		}
	}
	return n
}

// Status changes are folded: the first at once, those within statusEvery
// of the last write into the next one, and the execution's end at once.
func TestTheStoryCoalescesStatusWrites(t *testing.T) {
	t.Parallel()
	clk := clocktesting.NewFakeClock(time.Unix(1_800_000_000, 0))
	s, _, groups := story(t, storyClock(clk))
	blocked := func() *metav1.Condition {
		ng, err := groups.NodeGroups("shop").Get(t.Context(), "web", metav1.GetOptions{})
		require.NoError(t, err)
		return meta.FindStatusCondition(ng.Status.Conditions, ConditionRebalanceBlocked)
	}
	s.Mirror(event(rebalancerv1.EventKind_EVENT_KIND_EXECUTION_STARTED, "", nil))
	require.Eventually(t, func() bool { return statusWrites(groups) == 1 }, 5*time.Second, time.Millisecond, "the first at once")
	s.Mirror(event(rebalancerv1.EventKind_EVENT_KIND_NODE_DRAINED, "old-0", nil))
	s.Mirror(event(rebalancerv1.EventKind_EVENT_KIND_EVICTION_BLOCKED, "old-1", nil))
	s.Mirror(event(rebalancerv1.EventKind_EVENT_KIND_BATCH_COMPLETED, "", nil))
	require.Eventually(t, func() bool { return len(s.queue) == 0 }, 5*time.Second, time.Millisecond)
	require.Eventually(t, func() bool {
		clk.Step(statusEvery / 2)
		c := blocked()
		return c != nil && c.Reason == "BatchCompleted"
	}, 5*time.Second, 10*time.Millisecond, "written within statusEvery and a half")
	require.Equal(t, 2, statusWrites(groups), "three changes, one write")

	s.Mirror(event(rebalancerv1.EventKind_EVENT_KIND_NODE_FAILED, "old-1", nil))
	s.Mirror(event(rebalancerv1.EventKind_EVENT_KIND_EXECUTION_FAILED, "", nil))
	require.Eventually(t, func() bool { return blocked().Reason == "ReplacementFailed" }, 5*time.Second, time.Millisecond,
		"the end written at once, without the clock moving")
	s.Stop()
	require.Equal(t, 3, statusWrites(groups))
}

// With StoryReads, the group's reference comes from the cache: only the
// status writes read the cluster.
func TestTheStoryReadsGroupsForItsEventsFromTheCache(t *testing.T) {
	t.Parallel()
	g := webGroup(nil)
	g.Status.ActiveExecution = &v1alpha1.ActiveExecution{ExecutionID: "exec-1", Installation: DefaultInstallation}
	groups := autoscalerfake.NewClientset(g)
	c := syncedCache(t, groups)
	rec := kubeevents.NewFakeRecorder(100)
	s := newKubeStory(rec, fake.NewClientset(), groups, "", slog.New(slog.DiscardHandler), StoryReads(c))
	s.Mirror(event(rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONING, "old-0", nil))
	s.Mirror(event(rebalancerv1.EventKind_EVENT_KIND_EXECUTION_PAUSED, "", nil)) // its status written, read live
	s.Stop()
	require.Len(t, drain(rec), 2)
	require.Equal(t, 1, liveGets(groups), "the status write's read, live")
}

// A change still waiting when the story stops (the Executor shutting
// down) is written before it stops.
func TestTheStoryWritesWhatWaitsWhenItStops(t *testing.T) {
	t.Parallel()
	clk := clocktesting.NewFakeClock(time.Unix(1_800_000_000, 0))
	s, _, groups := story(t, storyClock(clk))
	s.Mirror(event(rebalancerv1.EventKind_EVENT_KIND_EXECUTION_STARTED, "", nil))
	s.Mirror(event(rebalancerv1.EventKind_EVENT_KIND_NODE_DRAIN_TIMEOUT, "old-0", nil)) // within statusEvery: waits
	s.Stop()
	require.Equal(t, 2, statusWrites(groups))
	ng, err := groups.NodeGroups("shop").Get(t.Context(), "web", metav1.GetOptions{})
	require.NoError(t, err)
	c := meta.FindStatusCondition(ng.Status.Conditions, ConditionRebalanceBlocked)
	require.Equal(t, metav1.ConditionTrue, c.Status)
	require.Equal(t, "DrainTimedOut", c.Reason)
}
