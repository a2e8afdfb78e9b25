package nodestep

import (
	"context"
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
// crash in the middle of tainting.
func (r *Runner) taintOldNodes(ctx context.Context) error {
	r.taintMu.Lock()
	defer r.taintMu.Unlock()
	if r.x.OldNodesTainted() {
		return nil
	}
	for _, n := range r.Nodes(0) {
		if err := n.taint(ctx); err != nil {
			return err
		}
	}
	return r.x.RecordOldNodesTainted(ctx)
}

// taint records the node's marks as they are, the first time only (a
// repeat after a crash must not take the execution's own marks for the
// original), then notes them on the node with the replacing taint, in
// one patch (markNode).
func (n *Node) taint(ctx context.Context) error {
	nodes := n.r.env.Kube
	node, err := nodes.GetNode(ctx, n.Old)
	if apierrors.IsNotFound(err) {
		return nil // already terminated
	}
	if err != nil {
		return err
	}
	_, nb := n.state()
	original := nb.Original
	if original == nil {
		original = marksOf(node)
		if err := n.set(ctx, func(_ *rebalancerv1.NodeExecution, nb *store.NodeBook) { nb.Original = original }); err != nil {
			return err
		}
	}
	note, err := n.r.marksNote(original)
	if err != nil {
		return err
	}
	return markNode(ctx, nodes, node, note)
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
