package nodestep

import (
	"context"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/kube"
)

// waitFloor waits until cordoning todo keeps the group's live count of
// serving nodes at or above the plan's floor (the capacity-floor
// invariant), for at most the provision timeout (a replacement still
// joining may bring it back); then it refuses.
func (r *Runner) waitFloor(ctx context.Context, todo []*Node) error {
	p := r.x.Plan()
	floor := int(p.GetMinHealthyNodes())
	deadline := r.now().Add(p.GetPolicy().GetProvisionTimeout().AsDuration())
	// The count itself is read live (GroupNodes): it must include the
	// cordon another lane wrote a moment ago. A node's change wakes the
	// wait (a replacement turning Ready).
	w := r.env.listen(change{nodeKind, ofGroup(p.GetNodeGroup())})
	defer w.stop()
	for {
		nodes, err := r.GroupNodes(ctx)
		if err != nil {
			return err
		}
		count, cordoning := countServing(nodes, todo)
		if count-cordoning >= floor {
			return nil
		}
		if !r.now().Before(deadline) {
			return failure(rebalancerv1.NodePhase_NODE_PHASE_READY,
				"cordoning %d node(s) would leave %d Ready, schedulable nodes, below the floor of %d", cordoning, count-cordoning, floor)
		}
		if err := w.wait(ctx, min(w.poll(), max(deadline.Sub(r.now()), time.Millisecond))); err != nil {
			return err
		}
	}
}

// countServing counts the nodes that serve (kube.NodeServing: Ready, no
// not-ready taint, not cordoned; the replacing taint keeps new pods away
// but the node still serves the ones it runs), and how many of them are
// among todo.
func countServing(nodes []corev1.Node, todo []*Node) (count, cordoning int) {
	for i := range nodes {
		if !kube.NodeServing(&nodes[i]) {
			continue
		}
		count++
		if slices.ContainsFunc(todo, func(n *Node) bool { return n.Old == nodes[i].Name }) {
			cordoning++
		}
	}
	return count, cordoning
}
