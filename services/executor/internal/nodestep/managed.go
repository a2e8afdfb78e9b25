package nodestep

import (
	"context"
	"fmt"
	"strings"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// addManaged asks VPSie Managed Kubernetes for one more node in the VPSie
// group of the target size (or of an allowed alternative). VPSie's add
// names nothing and is not idempotent, so the add is recorded before it
// is sent, with the cluster's nodes at that moment; the node is found
// when it registers (claimReplacement), and a resumed step never adds
// again what it may already have added. The lanes' adds go one at a time
// (attribution.go), so each knows the node it bought.
func addManaged(ctx context.Context, n *Node) error {
	add, err := n.addOnce(ctx)
	if err != nil {
		return err
	}
	ne, _ := n.state()
	return n.emitf(ctx, rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONED,
		map[string]string{"vpsieGroup": add.GroupName, "offering": ne.GetNewOffering()},
		"VPSie accepted a node of %s in group %s for %s; it is found when it registers", ne.GetNewOffering(), add.GroupName, n.Old)
}

// addOnce records, sends and attributes the add, under the runner's
// addMu, and enters JOINING.
func (n *Node) addOnce(ctx context.Context) (*store.ManagedAdd, error) {
	n.r.addMu.Lock()
	defer n.r.addMu.Unlock()
	_, nb := n.state()
	add := nb.ManagedAdd
	// A resumed step may have sent the add before it was stopped.
	maybeSent := add != nil
	if add == nil {
		var err error
		if add, err = n.recordManagedAdd(ctx); err != nil {
			return nil, err
		}
	}
	if !add.Sent {
		if err := n.sendManagedAdd(ctx, add, maybeSent); err != nil {
			return nil, err
		}
		// Resumed too: the lanes' adds before this one are in its Known
		// (addMu), and those after it wait for it.
		add.Node = n.attributeAdd(ctx, add)
	}
	err := n.enter(ctx, rebalancerv1.NodePhase_NODE_PHASE_JOINING, func(_ *rebalancerv1.NodeExecution, nb *store.NodeBook) {
		nb.ManagedAdd.Sent, nb.ManagedAdd.Node = true, add.Node
	})
	return add, err
}

// recordManagedAdd picks the group (the target's, then an allowed
// alternative's) and writes the add with the cluster's nodes now.
func (n *Node) recordManagedAdd(ctx context.Context) (*store.ManagedAdd, error) {
	group, offering, err := n.managedGroup(ctx)
	if err != nil {
		return nil, err
	}
	cluster, err := n.kubeCluster(ctx)
	if err != nil {
		return nil, err
	}
	known := make([]string, len(cluster.Nodes))
	for i, kn := range cluster.Nodes {
		known[i] = kn.ID
	}
	add := &store.ManagedAdd{Group: group.ID, GroupName: group.Name, Known: known}
	err = n.r.x.UpdateNode(ctx, n.Old, func(ne *rebalancerv1.NodeExecution, nb *store.NodeBook) {
		ne.NewOffering = offering
		nb.ManagedAdd = add
	})
	return add, err
}

// kubeSizes are the managed cluster's sizes and VPSie groups, as the
// execution's first add listed them: which group sells which size does
// not change within an execution (VPSie refuses two groups of one size),
// so the lanes' adds share one listing. Guarded by Runner.addMu, which
// every add holds.
type kubeSizes struct {
	offers []cloud.Offering
	groups []cloud.KubeGroup
}

// managedGroup is the first of the offerings (target, then allowed
// alternatives) that has a VPSie group in the cluster. The caller holds
// addMu.
func (n *Node) managedGroup(ctx context.Context) (cloud.KubeGroup, string, error) {
	env, spec := &n.r.env, n.r.x.GroupSpec()
	sizes := &n.r.kubeSizes
	if sizes.groups == nil {
		var offers []cloud.Offering
		var groups []cloud.KubeGroup
		err := retryCloud(ctx, env.Pace.CloudRetry, func() error {
			var err error
			if offers, err = env.Cloud.ListKubeOffers(ctx, spec.Datacenter); err != nil {
				return err
			}
			groups, err = env.Cloud.ListKubeGroups(ctx, spec.Provisioning.ClusterID)
			return err
		})
		if err != nil {
			return cloud.KubeGroup{}, "", failure(rebalancerv1.NodePhase_NODE_PHASE_PROVISIONING,
				"list the VPSie groups of cluster %s: %v", spec.Provisioning.ClusterID, err)
		}
		if groups == nil {
			groups = []cloud.KubeGroup{} // listed: none
		}
		sizes.offers, sizes.groups = offers, groups
	}
	offers, groups := sizes.offers, sizes.groups
	offerings := n.r.offerings(ctx)
	for _, name := range offerings {
		if g, ok := cloud.GroupOfSize(groups, offers, name); ok {
			return g, name, nil
		}
	}
	return cloud.KubeGroup{}, "", failure(rebalancerv1.NodePhase_NODE_PHASE_PROVISIONING,
		"no VPSie node group of size %s in cluster %s", strings.Join(offerings, " or "), spec.Provisioning.ClusterID)
}

// sendManagedAdd sends the add, retrying what may pass. Before each retry,
// and before the first send of a resumed step (maybeSent), it lists the
// group: a node added since the record means an earlier attempt took
// effect although its answer failed (or was never recorded), and adding
// again would buy a second node.
func (n *Node) sendManagedAdd(ctx context.Context, add *store.ManagedAdd, maybeSent bool) error {
	env, cluster := &n.r.env, n.r.x.GroupSpec().Provisioning.ClusterID
	tried := maybeSent
	err := retryCloud(ctx, env.Pace.CloudRetry, func() error {
		if tried {
			c, err := env.Cloud.GetKubeCluster(ctx, cluster)
			if err != nil {
				return err
			}
			if len(cloud.KubeNodesAddedSince(c, add.Group, add.Known)) > 0 {
				return nil
			}
		}
		tried = true
		return env.Cloud.AddKubeNode(ctx, cluster, add.Group)
	})
	if err != nil {
		return failure(rebalancerv1.NodePhase_NODE_PHASE_PROVISIONING, "add a node to VPSie group %s: %v", add.GroupName, err)
	}
	return nil
}

// kubeCluster lists the managed cluster, retrying what may pass.
func (n *Node) kubeCluster(ctx context.Context) (cloud.KubeCluster, error) {
	env, id := &n.r.env, n.r.x.GroupSpec().Provisioning.ClusterID
	var c cloud.KubeCluster
	err := retryCloud(ctx, env.Pace.CloudRetry, func() error {
		var err error
		c, err = env.Cloud.GetKubeCluster(ctx, id)
		return err
	})
	if err != nil {
		return cloud.KubeCluster{}, fmt.Errorf("list VPSie cluster %s: %w", id, err)
	}
	return c, nil
}
