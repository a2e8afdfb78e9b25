package engine

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// maxProvisionAttempts: a VM that never joins is deleted and asked for
// once more before the node fails.
const maxProvisionAttempts = 2

// join waits, within the provision timeout, for the replacement's Node to
// register and be Ready. The Node is found by its providerID: its name is
// the kubelet's choice, not known when the VM was created.
func join(ctx context.Context, n *nodeRun) error {
	ne, nb := n.state()
	p := n.x.plan()
	deadline := nb.ProvisionStartedAt.Add(p.GetPolicy().GetProvisionTimeout().AsDuration())
	want := v1alpha1.ProviderID(ne.GetNewVmIdentifier())
	joined := false
	node, err := n.x.waitNode(ctx, p.GetNodeGroup(), deadline, func(node *corev1.Node) bool {
		if node.Spec.ProviderID != want {
			return false
		}
		joined = true
		return nodeReady(node)
	})
	if errors.Is(err, errWaitTimedOut) {
		return retryJoin(ctx, n, ne, nb, joined)
	}
	if err != nil {
		return err
	}
	err = n.enter(ctx, rebalancerv1.NodePhase_NODE_PHASE_READY, func(ne *rebalancerv1.NodeExecution, _ *store.NodeBook) {
		ne.NewNode = node.Name
		// The offering actually running, as the node reports it, is what
		// savings are computed from.
		if it := node.Labels[v1alpha1.LabelInstanceType]; it != "" {
			ne.NewOffering = it
		}
	})
	if err != nil {
		return err
	}
	if err := n.x.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_NODE_JOINED, n.old, n.batch,
		map[string]string{"node": node.Name}, "Replacement node %s joined for %s", node.Name, n.old); err != nil {
		return err
	}
	return n.x.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_NODE_READY, n.old, n.batch,
		map[string]string{"node": node.Name, "offering": node.Labels[v1alpha1.LabelInstanceType]},
		"Replacement node %s is Ready for %s", node.Name, n.old)
}

// retryJoin deletes a VM that did not become a Ready node in time and
// provisions once more; the second time, the node fails.
func retryJoin(ctx context.Context, n *nodeRun, ne *rebalancerv1.NodeExecution, nb store.NodeBook, joined bool) error {
	what := "never joined"
	if joined {
		what = "joined but never became Ready"
	}
	if err := n.x.deleteReplacement(ctx, ne); err != nil {
		return err
	}
	if nb.ProvisionAttempts >= maxProvisionAttempts {
		return failure(rebalancerv1.NodePhase_NODE_PHASE_JOINING, "replacement %s %s within the provision timeout, twice", ne.GetNewHostname(), what)
	}
	now := n.x.now()
	err := n.enter(ctx, rebalancerv1.NodePhase_NODE_PHASE_PROVISIONING, func(ne *rebalancerv1.NodeExecution, nb *store.NodeBook) {
		ne.NewVmIdentifier, ne.NewNode = "", ""
		nb.ProvisionStartedAt = now
		nb.ProvisionAttempts++
	})
	if err != nil {
		return err
	}
	if err := n.x.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONING, n.old, n.batch,
		map[string]string{"hostname": ne.GetNewHostname(), "attempt": "2"},
		"Replacement %s %s in time; its VM is deleted and created again", ne.GetNewHostname(), what); err != nil {
		return err
	}
	if err := provision(ctx, n); err != nil {
		return err
	}
	return join(ctx, n)
}

// deleteReplacement deletes a replacement's VM and Node; both deletes are
// idempotent, so a retried rollback or join retry is safe.
func (x *execution) deleteReplacement(ctx context.Context, ne *rebalancerv1.NodeExecution) error {
	vmID := ne.GetNewVmIdentifier()
	if vmID == "" && ne.GetNewHostname() != "" {
		vm, err := x.deps.Cloud.FindVM(ctx, ne.GetNewHostname())
		if err == nil {
			vmID = vm.ID
		} else if !cloud.IsNotFound(err) { // not found: nothing to delete
			return fmt.Errorf("find VM %s: %w", ne.GetNewHostname(), err)
		}
	}
	if vmID != "" {
		if err := retryCloud(ctx, x.deps.Pace.CloudRetry, func() error { return x.deps.Cloud.DeleteVM(ctx, vmID) }); err != nil {
			return fmt.Errorf("delete VM %s: %w", vmID, err)
		}
	}
	return x.deleteNodeOfVM(ctx, vmID, ne.GetNewNode())
}

// deleteNodeOfVM deletes the Node named, or the group's Node running vmID.
func (x *execution) deleteNodeOfVM(ctx context.Context, vmID, name string) error {
	if name == "" && vmID != "" {
		nodes, err := x.groupNodes(ctx)
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
	err := x.deps.Kube.CoreV1().Nodes().Delete(ctx, name, metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("delete node %s: %w", name, err)
	}
	return nil
}
