package nodestep

import (
	"context"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// cordon taints every old node (once), checks the capacity floor against
// the live group, then cordons this old node and takes it out of external
// load balancers.
func cordon(ctx context.Context, n *Node) error {
	if err := n.r.taintOldNodes(ctx); err != nil {
		return err
	}
	return n.r.cordonNodes(ctx, []*Node{n})
}

// CordonBlue cordons every blue node (every old node of the plan) when
// blue-green's first drain batch starts, and only once the whole green set
// is Ready: make before break for blue-green. Its events are reported in
// batch.
func (r *Runner) CordonBlue(ctx context.Context, batch int32) error {
	all := r.Nodes(batch)
	for _, n := range all {
		if n.Phase() < rebalancerv1.NodePhase_NODE_PHASE_READY {
			return failure(rebalancerv1.NodePhase_NODE_PHASE_READY, "green replacement of %s is not Ready: blue nodes are cordoned only after the whole green set", n.Old)
		}
	}
	if err := r.taintOldNodes(ctx); err != nil {
		return err
	}
	return r.cordonNodes(ctx, all)
}

// cordonNodes cordons old nodes not cordoned yet after one floor check
// covering all of them.
func (r *Runner) cordonNodes(ctx context.Context, nodes []*Node) error {
	r.cordonMu.Lock()
	defer r.cordonMu.Unlock()
	var todo []*Node
	for _, n := range nodes {
		if n.Phase() < rebalancerv1.NodePhase_NODE_PHASE_CORDONED {
			todo = append(todo, n)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	if err := r.waitFloor(ctx, todo); err != nil {
		return err
	}
	empty := ""
	for _, n := range todo {
		if err := setCordon(ctx, r.env.Kube, n.Old, true, map[string]*string{LabelExcludeFromLB: &empty}); err != nil {
			return err
		}
		r.noteCordoned(n.Old)
		if err := n.enter(ctx, rebalancerv1.NodePhase_NODE_PHASE_CORDONED, nil); err != nil {
			return err
		}
		if err := n.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_NODE_CORDONED, nil,
			"Cordoned %s, tainted %s and excluded it from external load balancers", n.Old, TaintReplacing); err != nil {
			return err
		}
	}
	return nil
}
