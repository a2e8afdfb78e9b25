package nodestep

import (
	"context"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
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
	// The count must include the cordon another lane wrote a moment ago:
	// floorNodes lays this execution's cordons over the node informer's
	// view. A node's change wakes the wait (a replacement turning Ready).
	w := r.env.listen(change{nodeKind, ofGroup(p.GetNodeGroup())})
	defer w.stop()
	for {
		nodes, err := r.floorNodes(ctx)
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

// floorNodes are the group's nodes as the floor check counts them: from
// the node informer, with every old node this execution cordoned counted
// cordoned whatever the informer shows yet (cordonedHere), as the pod
// cache shows evicted pods leaving. Other changes the informer is late to
// show only lower the count (a replacement not yet seen Ready, a node not
// yet seen uncordoned), or are another actor's, which a live read races
// as well. Without the informer (tests with a plain client) they are
// listed live. The informer saves a listing of the group's nodes at each
// cordon and at each wake-up of a wait.
func (r *Runner) floorNodes(ctx context.Context) ([]corev1.Node, error) {
	c, ok := r.env.Kube.(*KubeCache)
	if !ok {
		return r.GroupNodes(ctx)
	}
	selector, err := labels.Parse(v1alpha1.NodeSelector(r.x.Plan().GetNodeGroup()))
	if err != nil {
		return nil, err
	}
	nodes, err := c.CachedGroupNodes(selector)
	if err != nil {
		return nil, err
	}
	for i := range nodes {
		if r.cordonedHere(nodes[i].Name) {
			nodes[i].Spec.Unschedulable = true
		}
	}
	return nodes, nil
}

// noteCordoned records a cordon this Runner wrote (cordonMu held).
func (r *Runner) noteCordoned(old string) {
	if r.cordoned == nil {
		r.cordoned = map[string]bool{}
	}
	r.cordoned[old] = true
}

// cordonedHere reports an old node this execution cordoned: by this Runner
// (cordonMu held), or by an earlier owner, as its recorded phase says
// (cordoned up to its deletion).
func (r *Runner) cordonedHere(name string) bool {
	if r.cordoned[name] {
		return true
	}
	if !r.isOldNode(name) {
		return false
	}
	ne, _ := r.x.Node(name)
	phase := ne.GetPhase()
	return phase >= rebalancerv1.NodePhase_NODE_PHASE_CORDONED && phase <= rebalancerv1.NodePhase_NODE_PHASE_DONE
}

// isOldNode reports whether the plan replaces the node named name.
func (r *Runner) isOldNode(name string) bool {
	r.oldNamesOnce.Do(func() {
		r.oldNames = map[string]bool{}
		for _, b := range r.x.Plan().GetBatches() {
			for _, c := range b.GetNodes() {
				r.oldNames[c.GetNodeName()] = true
			}
		}
	})
	return r.oldNames[name]
}
