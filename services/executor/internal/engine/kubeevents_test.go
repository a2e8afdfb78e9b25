package engine

import (
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	kubeevents "k8s.io/client-go/tools/events"

	autoscalerfake "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/client/fake"
	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// story is a KubeStory over fakes, for group shop/web held by exec-1.
func story(t *testing.T) (*KubeStory, *kubeevents.FakeRecorder, *autoscalerfake.Clientset) {
	t.Helper()
	g := webGroup(nil)
	g.Status.ActiveExecution = &v1alpha1.ActiveExecution{ExecutionID: "exec-1", Installation: DefaultInstallation}
	g.Status.Conditions = []metav1.Condition{{Type: ConditionRebalancing, Status: metav1.ConditionTrue, Reason: "Running"}}
	groups := autoscalerfake.NewClientset(g)
	rec := kubeevents.NewFakeRecorder(100)
	s := newKubeStory(rec, fake.NewClientset(), groups, "", slog.New(slog.DiscardHandler))
	return s, rec, groups
}

func event(kind rebalancerv1.EventKind, node string, details map[string]string) *rebalancerv1.ExecutionEvent {
	return &rebalancerv1.ExecutionEvent{ExecutionId: "exec-1", Namespace: "shop", NodeGroup: "web", Kind: kind,
		NodeName: node, Message: kind.String() + " happened", Details: details}
}

func TestTheStoryWritesEventsOnTheGroupAndItsNodes(t *testing.T) {
	t.Parallel()
	s, rec, _ := story(t)
	s.Mirror(event(rebalancerv1.EventKind_EVENT_KIND_NODE_READY, "old-0", map[string]string{"node": "new-0"}))
	s.Mirror(event(rebalancerv1.EventKind_EVENT_KIND_POD_EVICTED, "old-0", nil)) // left to the stream
	s.Mirror(event(rebalancerv1.EventKind_EVENT_KIND_EXECUTION_FAILED, "", map[string]string{"status": "EXECUTION_STATUS_ROLLED_BACK"}))
	s.Stop()
	close(rec.Events)
	var got []string
	for e := range rec.Events {
		got = append(got, e)
	}
	require.Equal(t, []string{
		"Normal ReplacementReady EVENT_KIND_NODE_READY happened", // the group
		"Normal ReplacementReady EVENT_KIND_NODE_READY happened", // the old node
		"Normal ReplacementReady EVENT_KIND_NODE_READY happened", // the replacement
		"Warning RebalanceRolledBack EVENT_KIND_EXECUTION_FAILED happened",
	}, got)
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
