package nodestep

import (
	"context"
	"fmt"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// terminate deletes the old VM through the cloud and the old Node; both
// deletes are idempotent, so a resumed TERMINATING node just repeats them.
func terminate(ctx context.Context, n *Node) error {
	vmID := n.candidate.GetVmIdentifier()
	if n.Phase() < rebalancerv1.NodePhase_NODE_PHASE_TERMINATING {
		if err := n.enter(ctx, rebalancerv1.NodePhase_NODE_PHASE_TERMINATING, nil); err != nil {
			return err
		}
		if err := n.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_NODE_TERMINATING,
			map[string]string{"vm": vmID}, "Deleting VM %s and Node %s", vmID, n.Old); err != nil {
			return err
		}
	}
	if err := n.r.env.deleteMachine(ctx, n.r.x.GroupSpec(), vmID); err != nil {
		return failure(rebalancerv1.NodePhase_NODE_PHASE_TERMINATING, "delete VM %s: %v", vmID, err)
	}
	if err := n.r.deleteNodeOfVM(ctx, "", n.Old); err != nil {
		return fmt.Errorf("terminate %s: %w", n.Old, err)
	}
	if err := n.enter(ctx, rebalancerv1.NodePhase_NODE_PHASE_DONE, nil); err != nil {
		return err
	}
	return n.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_NODE_TERMINATED,
		map[string]string{"vm": vmID}, "VM %s and Node %s are gone", vmID, n.Old)
}
