package engine

import (
	"context"
	"fmt"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// terminate deletes the old VM through the cloud and the old Node; both
// deletes are idempotent, so a resumed TERMINATING node just repeats them.
func terminate(ctx context.Context, n *nodeRun) error {
	if n.phase() < rebalancerv1.NodePhase_NODE_PHASE_TERMINATING {
		if err := n.enter(ctx, rebalancerv1.NodePhase_NODE_PHASE_TERMINATING, nil); err != nil {
			return err
		}
		if err := n.x.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_NODE_TERMINATING, n.old, n.batch,
			map[string]string{"vm": n.candidate.GetVmIdentifier()}, "Deleting VM %s and Node %s", n.candidate.GetVmIdentifier(), n.old); err != nil {
			return err
		}
	}
	vmID := n.candidate.GetVmIdentifier()
	if err := retryCloud(ctx, n.x.deps.Pace.CloudRetry, func() error { return n.x.deps.Cloud.DeleteVM(ctx, vmID) }); err != nil {
		return failure(rebalancerv1.NodePhase_NODE_PHASE_TERMINATING, "delete VM %s: %v", vmID, err)
	}
	if err := n.x.deleteNodeOfVM(ctx, "", n.old); err != nil {
		return fmt.Errorf("terminate %s: %w", n.old, err)
	}
	if err := n.enter(ctx, rebalancerv1.NodePhase_NODE_PHASE_DONE, nil); err != nil {
		return err
	}
	p := n.x.plan()
	n.x.deps.Metrics.NodesTerminated.WithLabelValues(p.GetNamespace(), p.GetNodeGroup()).Inc()
	return n.x.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_NODE_TERMINATED, n.old, n.batch,
		map[string]string{"vm": vmID}, "VM %s and Node %s are gone", vmID, n.old)
}
