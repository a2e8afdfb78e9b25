package nodestep

import (
	"context"
	"fmt"
	"reflect"
	"slices"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// An old node's marks are what the Executor changes on it while it is
// replaced (store.Marks): the replacing taint, on every old node before
// the first cordon; the cordon and the load-balancer label, on each at its
// own cordon. What the node had before is recorded first, and restored
// exactly when the node is not replaced after all.
const (
	// TaintReplacing keeps pods evicted from one old node from landing on
	// another old node that is about to go.
	TaintReplacing = "rebalancer.autoscaler.vpsie.io/replacing"
	// LabelExcludeFromLB takes a draining node out of external load
	// balancers, as Karpenter does.
	LabelExcludeFromLB = "node.kubernetes.io/exclude-from-external-load-balancers"
)

// ReplacingTaint is the taint every old node carries once tainted.
func ReplacingTaint() corev1.Taint {
	return corev1.Taint{Key: TaintReplacing, Value: "true", Effect: corev1.TaintEffectNoSchedule}
}

// HasReplacingTaint reports whether the node carries the replacing taint.
func HasReplacingTaint(n *corev1.Node) bool {
	return slices.ContainsFunc(n.Spec.Taints, isReplacingTaint)
}

func isReplacingTaint(t corev1.Taint) bool { return t.Key == TaintReplacing }

// taintOldNodes puts the replacing taint on every old node of the plan not
// yet gone, once per execution, before the first cordon. What each node
// had is recorded first, so a rollback restores it exactly even after a
// crash in the middle of tainting. The nodes are read by one listing of
// the group rather than one read each (a request a node at 100 nodes):
// each patch is tested against the resourceVersion listed, so a node
// changed since is read again, never overwritten.
func (r *Runner) taintOldNodes(ctx context.Context) error {
	r.taintMu.Lock()
	defer r.taintMu.Unlock()
	if r.x.OldNodesTainted() {
		return nil
	}
	listed, err := r.GroupNodes(ctx)
	if err != nil {
		return err
	}
	byName := make(map[string]*corev1.Node, len(listed))
	for i := range listed {
		byName[listed[i].Name] = &listed[i]
	}
	for _, n := range r.Nodes(0) {
		if err := n.taint(ctx, byName[n.Old]); err != nil {
			return err
		}
	}
	return r.x.RecordOldNodesTainted(ctx)
}

// maxMarkAttempts bounds the reads of a node whose every patch met a
// newer version (its status updates change the version too).
const maxMarkAttempts = 5

// taint records the node's marks as they are, then notes them on the node
// with the replacing taint, in one patch tested against the version the
// marks were read from: a patch that lands did so over exactly the node
// recorded. read is the node as listed, nil to read it. A node changed
// since is read again and its marks recorded again, unless it carries a
// mark of ours (an earlier attempt's, before a crash), when the recorded
// marks are the ones from before it.
func (n *Node) taint(ctx context.Context, read *corev1.Node) error {
	nodes := n.r.env.Kube
	for range maxMarkAttempts {
		node := read
		read = nil // a retry reads again
		if node == nil {
			var err error
			if node, err = nodes.GetNode(ctx, n.Old); err != nil {
				return ignoreGone(err)
			}
		}
		original, err := n.recordOriginal(ctx, node)
		if err != nil {
			return err
		}
		note, err := n.r.marksNote(original)
		if err != nil {
			return err
		}
		ops := markOps(node, note)
		if len(ops) == 0 {
			return nil
		}
		if err := patchOverVersion(ctx, nodes, node, ops); !apierrors.IsConflict(err) {
			return err
		}
	}
	return fmt.Errorf("mark node %s: changed under each of %d attempts", n.Old, maxMarkAttempts)
}

// recordOriginal records node's marks as the original ones, unless
// recorded already and node carries a mark of ours (then they were
// recorded before it was marked), and returns what is recorded.
func (n *Node) recordOriginal(ctx context.Context, node *corev1.Node) (*store.Marks, error) {
	_, nb := n.state()
	if nb.Original != nil && (HasReplacingTaint(node) || node.Annotations[AnnotationOriginalMarks] != "") {
		return nb.Original, nil
	}
	original := marksOf(node)
	if nb.Original != nil && reflect.DeepEqual(nb.Original, original) {
		return nb.Original, nil
	}
	err := n.set(ctx, func(_ *rebalancerv1.NodeExecution, nb *store.NodeBook) { nb.Original = original })
	return original, err
}

// marksOf records what the Executor may change on a node.
func marksOf(n *corev1.Node) *store.Marks {
	m := &store.Marks{Unschedulable: n.Spec.Unschedulable, Taints: slices.Clone(n.Spec.Taints), Labels: map[string]string{}}
	if v, ok := n.Labels[LabelExcludeFromLB]; ok {
		m.Labels[LabelExcludeFromLB] = v
	}
	return m
}

// Restore puts back the marks old had before this execution tainted it
// (RestoreMarks); restored is false when it never was.
func (r *Runner) Restore(ctx context.Context, old string) (restored bool, err error) {
	_, nb := r.x.Node(old)
	if nb.Original == nil {
		return false, nil
	}
	return true, RestoreMarks(ctx, r.env.Kube, old, nb.Original)
}
