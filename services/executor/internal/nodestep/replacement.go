package nodestep

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// DeleteReplacement deletes a replacement's VM and Node (a join retried,
// a rollback); both deletes are idempotent, so a repeat is safe.
func (r *Runner) DeleteReplacement(ctx context.Context, ne *rebalancerv1.NodeExecution) error {
	vmID := ne.GetNewVmIdentifier()
	if vmID == "" && ne.GetNewHostname() != "" {
		vm, err := r.env.Cloud.FindVM(ctx, ne.GetNewHostname())
		if err == nil {
			vmID = vm.ID
		} else if !cloud.IsNotFound(err) { // not found: nothing to delete
			return fmt.Errorf("find VM %s: %w", ne.GetNewHostname(), err)
		}
	}
	if vmID != "" {
		if err := r.env.deleteVM(ctx, vmID); err != nil {
			return fmt.Errorf("delete VM %s: %w", vmID, err)
		}
	}
	return r.deleteNodeOfVM(ctx, vmID, ne.GetNewNode())
}

// deleteNodeOfVM deletes the Node named, or the group's Node running vmID.
func (r *Runner) deleteNodeOfVM(ctx context.Context, vmID, name string) error {
	if name == "" && vmID != "" {
		nodes, err := r.GroupNodes(ctx)
		if err != nil {
			return err
		}
		for _, node := range nodes {
			if node.Spec.ProviderID == v1alpha1.ProviderID(vmID) {
				name = node.Name
			}
		}
	}
	if name == "" {
		return nil
	}
	err := r.env.Kube.DeleteNode(ctx, name)
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("delete node %s: %w", name, err)
	}
	return nil
}

// DrainReplacement cordons and drains old's replacement, the node name,
// through the Eviction API within the plan's drain timeout, so that a
// rollback moves its pods back to the old nodes (restored by then) before
// deleting it. Its events are reported on old.
func (r *Runner) DrainReplacement(ctx context.Context, old, name string) error {
	if _, err := r.env.Kube.GetNode(ctx, name); apierrors.IsNotFound(err) {
		return nil
	}
	if err := setCordon(ctx, r.env.Kube, name, true, nil); err != nil {
		return err
	}
	d := newDrainer(r, r.nodeOf(old), name)
	left, err := d.evictUntil(ctx, r.now().Add(r.x.Plan().GetPolicy().GetDrainTimeout().AsDuration()))
	if err != nil {
		return err
	}
	if len(left) > 0 {
		pods, pdbs, _ := r.blockers(ctx, left)
		return fmt.Errorf("replacement %s could not be drained: pods %v blocked by PDBs %v", name, pods, pdbs)
	}
	return nil
}
