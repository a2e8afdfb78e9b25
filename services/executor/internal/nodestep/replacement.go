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
	vmID, err := r.replacementID(ctx, ne)
	if err != nil {
		return err
	}
	if vmID != "" {
		if err := r.env.deleteMachine(ctx, r.x.GroupSpec(), vmID); err != nil {
			return fmt.Errorf("delete VM %s: %w", vmID, err)
		}
	}
	return r.deleteNodeOfVM(ctx, vmID, ne.GetNewNode())
}

// replacementID is the identifier of the replacement's machine, "" when
// there is none to delete: the one recorded, else the VM of the hostname
// (vm mode: created, not recorded yet), else the node claimed for it
// (managed mode: claimed, not recorded yet).
func (r *Runner) replacementID(ctx context.Context, ne *rebalancerv1.NodeExecution) (string, error) {
	if id := ne.GetNewVmIdentifier(); id != "" {
		return id, nil
	}
	if r.x.GroupSpec().Managed() {
		return r.managedReplacementID(ctx, ne.GetOldNode())
	}
	// Without a create sent under the hostname there is no VM to find:
	// before PROVISIONING (the hostname is planned at acceptance), or the
	// intent this Runner wrote with nothing sent since.
	if ne.GetNewHostname() == "" || ne.GetPhase() < rebalancerv1.NodePhase_NODE_PHASE_PROVISIONING ||
		r.unsent.unsent(ne.GetNewHostname()) {
		return "", nil
	}
	vm, err := r.env.Cloud.FindVM(ctx, ne.GetNewHostname())
	switch {
	case cloud.IsNotFound(err):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("find VM %s: %w", ne.GetNewHostname(), err)
	case vm.ID == "":
		// Still being built, not listed yet: it cannot be deleted before
		// it is, so the caller tries again.
		return "", fmt.Errorf("VM %s is still being built; delete it once listed", ne.GetNewHostname())
	}
	return vm.ID, nil
}

// managedReplacementID is the node claimed for old, else the node old's
// add bought, registered or not, so a node that never joined is not left
// billing. A node the add cannot be told to have bought is not deleted
// here: it may be another lane's, which would then lose its node while
// this one's bills on. The reconciler reclaims it once the group's
// executions ended (attribution.go).
func (r *Runner) managedReplacementID(ctx context.Context, old string) (string, error) {
	if id, err := r.claimedID(ctx, old); id != "" || err != nil {
		return id, err
	}
	_, nb := r.x.Node(old)
	if nb.ManagedAdd == nil || !nb.ManagedAdd.Sent || nb.ManagedAdd.Node == "" {
		return "", nil
	}
	c, err := r.env.Cloud.GetKubeCluster(ctx, r.x.GroupSpec().Provisioning.ClusterID)
	if err != nil {
		return "", fmt.Errorf("list VPSie cluster: %w", err)
	}
	for _, kn := range c.Nodes {
		if kn.ID != nb.ManagedAdd.Node {
			continue
		}
		node, err := r.env.Kube.GetNode(ctx, kn.Hostname)
		if apierrors.IsNotFound(err) || (err == nil && node.Annotations[v1alpha1.AnnotationReplacementFor] == "") {
			return kn.ID, nil
		}
		return "", err // claimed by another: not ours to delete
	}
	return "", nil // gone already
}

// claimedID is the identifier of the group's node claimed for old by this
// execution, "" when there is none.
func (r *Runner) claimedID(ctx context.Context, old string) (string, error) {
	nodes, err := r.GroupNodes(ctx)
	if err != nil {
		return "", err
	}
	for _, node := range nodes {
		if node.Annotations[v1alpha1.AnnotationReplacementFor] == r.x.ID()+"/"+old {
			id, _ := v1alpha1.VMIdentifier(node.Spec.ProviderID)
			return id, nil
		}
	}
	return "", nil
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
