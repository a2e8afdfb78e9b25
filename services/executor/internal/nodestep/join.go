package nodestep

import (
	"context"
	"errors"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/kube"
	"github.com/vpsie/node-rebalancer/services/executor/internal/naming"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// maxProvisionAttempts: a VM that never joins is deleted and asked for
// once more before the node fails.
const maxProvisionAttempts = 2

// join waits, within the provision timeout, for the replacement's Node to
// register and be Ready (kube.NodeReady: the condition, and none of the
// not-ready taints the scheduler still avoids). The Node is found by its
// providerID: its name is the kubelet's choice, not known when the VM was
// created.
func join(ctx context.Context, n *Node) error {
	ne, nb := n.state()
	p := n.r.x.Plan()
	deadline := nb.ProvisionStartedAt.Add(p.GetPolicy().GetProvisionTimeout().AsDuration())
	if ne.GetNewVmIdentifier() == "" && n.r.x.GroupSpec().Managed() {
		var err error
		if ne, err = n.claimManaged(ctx, deadline, nb); errors.Is(err, errWaitTimedOut) {
			return retryJoin(ctx, n, ne, nb, false)
		} else if err != nil {
			return err
		}
	}
	want := v1alpha1.ProviderID(ne.GetNewVmIdentifier())
	joined := false
	node, err := n.r.waitNode(ctx, deadline, func(node *corev1.Node) bool {
		if node.Spec.ProviderID != want {
			return false
		}
		joined = true
		return kube.NodeReady(node)
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
	if err := n.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_NODE_JOINED,
		map[string]string{"node": node.Name}, "Replacement node %s joined for %s", node.Name, n.Old); err != nil {
		return err
	}
	return n.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_NODE_READY,
		map[string]string{"node": node.Name, "offering": node.Labels[v1alpha1.LabelInstanceType]},
		"Replacement node %s is Ready for %s", node.Name, n.Old)
}

// claimManaged claims the node VPSie added and records it as the
// replacement: its identifier (from the providerID VPSie's cloud
// controller sets) and its name.
func (n *Node) claimManaged(ctx context.Context, deadline time.Time, nb store.NodeBook) (*rebalancerv1.NodeExecution, error) {
	node, err := n.claimReplacement(ctx, deadline, nb.ManagedAdd)
	if err != nil {
		ne, _ := n.state()
		return ne, err
	}
	id, _ := v1alpha1.VMIdentifier(node.Spec.ProviderID)
	err = n.r.x.UpdateNode(ctx, n.Old, func(ne *rebalancerv1.NodeExecution, _ *store.NodeBook) {
		ne.NewVmIdentifier, ne.NewHostname = id, node.Name
	})
	if err != nil {
		return nil, err
	}
	n.r.env.Logger.Info("claimed the node VPSie added", "node", node.Name, "vm", id,
		"vpsieGroup", nb.ManagedAdd.GroupName, "replaces", n.Old)
	ne, _ := n.state()
	return ne, nil
}

// retryJoin deletes a VM that did not become a Ready node in time and
// provisions once more; the second time, the node fails.
func retryJoin(ctx context.Context, n *Node, ne *rebalancerv1.NodeExecution, nb store.NodeBook, joined bool) error {
	what := "never joined"
	if joined {
		what = "joined but never became Ready"
	}
	if err := n.r.DeleteReplacement(ctx, ne); err != nil {
		return err
	}
	if nb.ProvisionAttempts >= maxProvisionAttempts {
		return failure(rebalancerv1.NodePhase_NODE_PHASE_JOINING, "replacement %s %s within the provision timeout, twice", ne.GetNewHostname(), what)
	}
	now := n.r.now()
	attempt := nb.ProvisionAttempts + 1
	hostname := ""
	if !n.r.x.GroupSpec().Managed() {
		hostname = naming.Hostname(n.r.x.Plan().GetPlanId(), n.Old, attempt)
	}
	err := n.enter(ctx, rebalancerv1.NodePhase_NODE_PHASE_PROVISIONING, func(ne *rebalancerv1.NodeExecution, nb *store.NodeBook) {
		ne.NewVmIdentifier, ne.NewNode, ne.NewHostname = "", "", hostname
		nb.ProvisionStartedAt = now
		nb.ProvisionAttempts = attempt
		nb.ManagedAdd = nil
	})
	if err != nil {
		return err
	}
	if err := n.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONING,
		map[string]string{"hostname": hostname, "previous": ne.GetNewHostname(), "attempt": strconv.Itoa(attempt)},
		"Replacement for %s %s in time; it is deleted and asked for again", n.Old, what); err != nil {
		return err
	}
	if err := provision(ctx, n); err != nil {
		return err
	}
	return join(ctx, n)
}
