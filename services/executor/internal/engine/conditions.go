package engine

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/kube"
)

// ConditionRebalanceBlocked says whether the group's rebalance is held up
// and by what (a PDB refusing evictions, a drain past its timeout, a
// replacement that failed), so `kubectl describe nodegroup` answers "why
// is it not moving" without the progress stream.
const ConditionRebalanceBlocked = "RebalanceBlocked"

// blockedBy is RebalanceBlocked as each progress event leaves it: True
// with a reason when the event blocks, False when it shows the rebalance
// moving again or succeeded. Kinds not listed leave it alone: an
// execution that failed or rolled back leaves it True with what stopped
// it (a node's failure names its blocking pods and PDBs) until the next
// one starts.
var blockedBy = map[rebalancerv1.EventKind]metav1.ConditionStatus{
	rebalancerv1.EventKind_EVENT_KIND_EVICTION_BLOCKED:    metav1.ConditionTrue,
	rebalancerv1.EventKind_EVENT_KIND_NODE_DRAIN_TIMEOUT:  metav1.ConditionTrue,
	rebalancerv1.EventKind_EVENT_KIND_NODE_FAILED:         metav1.ConditionTrue,
	rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_FAILED:     metav1.ConditionTrue,
	rebalancerv1.EventKind_EVENT_KIND_EXECUTION_PAUSED:    metav1.ConditionTrue,
	rebalancerv1.EventKind_EVENT_KIND_EXECUTION_STARTED:   metav1.ConditionFalse,
	rebalancerv1.EventKind_EVENT_KIND_EXECUTION_RESUMED:   metav1.ConditionFalse,
	rebalancerv1.EventKind_EVENT_KIND_NODE_DRAINED:        metav1.ConditionFalse,
	rebalancerv1.EventKind_EVENT_KIND_BATCH_COMPLETED:     metav1.ConditionFalse,
	rebalancerv1.EventKind_EVENT_KIND_EXECUTION_SUCCEEDED: metav1.ConditionFalse,
}

// refreshesMembers are the events after which status.nodes is listed
// again: every batch's end, and a rollback's.
var refreshesMembers = map[rebalancerv1.EventKind]bool{
	rebalancerv1.EventKind_EVENT_KIND_BATCH_COMPLETED:    true,
	rebalancerv1.EventKind_EVENT_KIND_BATCH_FAILED:       true,
	rebalancerv1.EventKind_EVENT_KIND_ROLLBACK_COMPLETED: true,
}

// updateStatus writes what ev changes of the group's status: the
// RebalanceBlocked condition, the Rebalancing condition's message while
// this execution holds the group, and the members after a batch. The
// lock, the Rebalancing status and the final member list stay
// updateGroup's (nodegroup.go), written in step with the execution; this
// write checks the resourceVersion it read, so it never undoes those.
func (s *KubeStory) updateStatus(ctx context.Context, ev *rebalancerv1.ExecutionEvent, r kubeReason) error {
	blocked, touchesBlocked := blockedBy[ev.GetKind()]
	members := refreshesMembers[ev.GetKind()]
	if !touchesBlocked && !members {
		return nil
	}
	groups := s.groups.NodeGroups(ev.GetNamespace())
	return retry.RetryOnConflict(retry.DefaultBackoff, func() error {
		ng, err := groups.Get(ctx, ev.GetNodeGroup(), metav1.GetOptions{})
		if err != nil {
			return err
		}
		if !s.holds(ng, ev) && !isFinalKind(ev.GetKind()) {
			return nil // another execution's story now
		}
		if touchesBlocked {
			meta.SetStatusCondition(&ng.Status.Conditions, metav1.Condition{Type: ConditionRebalanceBlocked,
				Status: blocked, Reason: r.reason, Message: truncateNote(ev.GetMessage()), ObservedGeneration: ng.Generation})
		}
		if members {
			if err := s.listMembers(ctx, ng); err != nil {
				return err
			}
			s.noteProgress(ng, ev)
		}
		_, err = groups.UpdateStatus(ctx, ng, metav1.UpdateOptions{})
		return err
	})
}

// holds reports whether ev's execution holds the group's lock.
func (s *KubeStory) holds(ng *v1alpha1.NodeGroup, ev *rebalancerv1.ExecutionEvent) bool {
	h := ng.Status.ActiveExecution
	return h != nil && h.ExecutionID == ev.GetExecutionId() && (h.Installation == "" || h.Installation == s.installation)
}

func isFinalKind(k rebalancerv1.EventKind) bool {
	return k == rebalancerv1.EventKind_EVENT_KIND_EXECUTION_SUCCEEDED || k == rebalancerv1.EventKind_EVENT_KIND_EXECUTION_FAILED
}

// noteProgress puts the progress in the Rebalancing condition's message
// while it is True and this execution's.
func (s *KubeStory) noteProgress(ng *v1alpha1.NodeGroup, ev *rebalancerv1.ExecutionEvent) {
	c := meta.FindStatusCondition(ng.Status.Conditions, ConditionRebalancing)
	if c == nil || c.Status != metav1.ConditionTrue || !s.holds(ng, ev) {
		return
	}
	c.Message = fmt.Sprintf("Execution %s is %d%% done: %s", ev.GetExecutionId(), ev.GetProgressPercent(), ev.GetMessage())
}

// listMembers lists the group's nodes into its status.
func (s *KubeStory) listMembers(ctx context.Context, ng *v1alpha1.NodeGroup) error {
	list, err := s.kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: v1alpha1.LabelNodeGroup + "=" + ng.Name})
	if err != nil {
		return err
	}
	ng.Status.Nodes, ng.Status.ReadyNodes = membersOf(list.Items)
	return nil
}

// membersOf is a group's status.nodes and its ready count, from its nodes.
func membersOf(nodes []corev1.Node) ([]v1alpha1.GroupNode, int32) {
	var members []v1alpha1.GroupNode
	var ready int32
	for i := range nodes {
		n := &nodes[i]
		serving := kube.NodeServing(n)
		members = append(members, v1alpha1.GroupNode{Name: n.Name, ProviderID: n.Spec.ProviderID,
			Offering: n.Labels[v1alpha1.LabelInstanceType], Ready: serving})
		if serving {
			ready++
		}
	}
	return members, ready
}
