package engine

import (
	"context"
	"fmt"
	"time"

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

// statusEvery is how often, at most, the story writes a group's status
// while an execution runs. Each change (a node drained, a batch done, an
// eviction blocked) used to be a write of its own (8 per replaced node);
// now the changes in between are folded into the next write, which is at
// most statusEvery and a half late, and the last one (the execution's
// final event, or the story stopping) is always written at once. The
// Rebalancing condition, the lock and the final member list are written
// by the execution itself (nodegroup.go), at its start and end, and after
// a restart by the execution resumed.
const statusEvery = 15 * time.Second

// groupKey names a NodeGroup.
type groupKey struct{ namespace, name string }

// statusChange is what the story has to write of a group's status.
type statusChange struct {
	// last is the latest event folded in: its execution holds the group.
	last *rebalancerv1.ExecutionEvent
	// blocked is RebalanceBlocked as the latest event that set it left it.
	blocked *metav1.Condition
	// progress is the latest event after which the members are listed
	// again; nil: none.
	progress *rebalancerv1.ExecutionEvent
}

// noteStatus folds what ev changes of the group's status (RebalanceBlocked,
// the members after a batch, the progress) into its pending change, and
// writes it now when the group's last write is statusEvery old or ev ends
// the execution; the run loop writes the rest (flushStatus).
func (s *KubeStory) noteStatus(ctx context.Context, ev *rebalancerv1.ExecutionEvent, r kubeReason) {
	key := groupKey{ev.GetNamespace(), ev.GetNodeGroup()}
	blocked, touchesBlocked := blockedBy[ev.GetKind()]
	members := refreshesMembers[ev.GetKind()]
	final := isFinalKind(ev.GetKind())
	c := s.pending[key]
	if !touchesBlocked && !members && (!final || c == nil) {
		return
	}
	if c != nil && c.last.GetExecutionId() != ev.GetExecutionId() {
		s.writeStatus(ctx, key) // another execution's, written as it stood
		c = nil
	}
	if c == nil {
		c = &statusChange{}
		s.pending[key] = c
	}
	c.last = ev
	if touchesBlocked {
		c.blocked = &metav1.Condition{Type: ConditionRebalanceBlocked, Status: blocked, Reason: r.reason,
			Message: truncateNote(ev.GetMessage())}
	}
	if members {
		c.progress = ev
	}
	if final || s.clock.Since(s.written[key]) >= s.statusEvery {
		s.writeStatus(ctx, key)
	}
}

// flushStatus writes the pending changes: all of them (the story
// stopping), or those of groups last written statusEvery ago.
func (s *KubeStory) flushStatus(all bool) {
	for key := range s.pending {
		if !all && s.clock.Since(s.written[key]) < s.statusEvery {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		s.writeStatus(ctx, key)
		cancel()
	}
}

// writeStatus writes key's pending change, once: a change the cluster
// refuses is logged and dropped, and the next change or the execution's
// own final write brings the status up to date.
func (s *KubeStory) writeStatus(ctx context.Context, key groupKey) {
	c := s.pending[key]
	delete(s.pending, key)
	if c == nil {
		return
	}
	if len(s.written) >= maxStoryRefs {
		clear(s.written) // a group forgotten is written at its next change
	}
	s.written[key] = s.clock.Now()
	if err := s.updateStatus(ctx, key, c); err != nil {
		s.logger.Warn("NodeGroup conditions not updated", "group", key.namespace+"/"+key.name, "error", err)
	}
}

// updateStatus writes c into the group's status: the RebalanceBlocked
// condition, the Rebalancing condition's message while c's execution
// holds the group, and the members. The lock, the Rebalancing status and
// the final member list stay updateGroup's (nodegroup.go), written in
// step with the execution; this write reads the group live and checks the
// resourceVersion it read, so it never undoes those (a cached copy would
// only conflict).
func (s *KubeStory) updateStatus(ctx context.Context, key groupKey, c *statusChange) error {
	groups := s.groups.NodeGroups(key.namespace)
	return retry.RetryOnConflict(retry.DefaultBackoff, func() error {
		ng, err := groups.Get(ctx, key.name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if !s.holds(ng, c.last) && !isFinalKind(c.last.GetKind()) {
			return nil // another execution's story now
		}
		if c.blocked != nil {
			cond := *c.blocked
			cond.ObservedGeneration = ng.Generation
			meta.SetStatusCondition(&ng.Status.Conditions, cond)
		}
		if c.progress != nil {
			if err := s.listMembers(ctx, ng); err != nil {
				return err
			}
			s.noteProgress(ng, c.progress)
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
	list, err := s.kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: v1alpha1.NodeSelector(ng.Name)})
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
