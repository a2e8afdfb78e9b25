package demo

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud/vpsie"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
	"github.com/vpsie/node-rebalancer/testbed/sandbox"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
)

// The group starts on the expensive offering of the design's example.
const (
	datacenter = catalog.NYC1
	current    = "standard-8"
	target     = "compute-4"
)

// joinTimeout bounds the wait for the group's VMs to boot and join.
const joinTimeout = 2 * time.Minute

// createGroup creates the NodeGroup, then its nodes at VPSie (so
// terminating one deletes a real VM, and savings and orphans are counted
// from the simulator), waits for every node to join Ready, and records
// the members in the group's status as its controller would.
func createGroup(ctx context.Context, cfg Config, sb *sandbox.Sandbox, c *vpsie.Client, simURL string) ([]*corev1.Node, error) {
	g := fixtures.Group{Namespace: cfg.Namespace, Offering: fixtures.Standard8, Nodes: cfg.Nodes, Datacenter: datacenter,
		Rebalancing: rebalancing(cfg), Provisioning: provisioning(cfg)}
	ng, err := sb.Autoscaler.NodeGroups(cfg.Namespace).Create(ctx, g.NodeGroup(), metav1.CreateOptions{})
	if err != nil {
		return nil, fmt.Errorf("create NodeGroup: %w", err)
	}
	var providerIDs []string
	if cfg.Mode == ModeManaged {
		providerIDs, err = addManagedNodes(ctx, cfg, sb, c, simURL)
	} else {
		providerIDs, err = createVMs(ctx, cfg, sb, c)
	}
	if err != nil {
		return nil, err
	}
	nodes, err := waitJoined(ctx, sb, ng.Name, providerIDs)
	if err != nil {
		return nil, err
	}
	return nodes, recordMembers(ctx, sb, ng, nodes)
}

// provisioning is the group's: the managed cluster named after the
// namespace, or the bootstrap Secret of the vm mode.
func provisioning(cfg Config) v1alpha1.Provisioning {
	if cfg.Mode == ModeManaged {
		return fixtures.ManagedProvisioning(cfg.Namespace)
	}
	return fixtures.VMProvisioning()
}

// waitJoined waits until each machine is a Ready node of the group.
func waitJoined(ctx context.Context, sb *sandbox.Sandbox, group string, providerIDs []string) ([]*corev1.Node, error) {
	var nodes []*corev1.Node
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, joinTimeout, true, func(ctx context.Context) (bool, error) {
		list, err := sb.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: v1alpha1.LabelNodeGroup + "=" + group})
		if err != nil {
			return false, nil //nolint:nilerr // the API server may be busy: poll again until the timeout
		}
		byProvider := map[string]*corev1.Node{}
		for i := range list.Items {
			if fixtures.NodeReady(&list.Items[i]) {
				byProvider[list.Items[i].Spec.ProviderID] = &list.Items[i]
			}
		}
		nodes = nodes[:0]
		for _, id := range providerIDs {
			if n := byProvider[id]; n != nil {
				nodes = append(nodes, n)
			}
		}
		return len(nodes) == len(providerIDs), nil
	})
	if err != nil {
		return nil, fmt.Errorf("%d of %d machines joined as Ready nodes: %w", len(nodes), len(providerIDs), err)
	}
	return nodes, nil
}

// recordMembers writes the group's status: observed, every node Ready.
func recordMembers(ctx context.Context, sb *sandbox.Sandbox, ng *v1alpha1.NodeGroup, nodes []*corev1.Node) error {
	ng.Status = v1alpha1.NodeGroupStatus{ObservedGeneration: ng.Generation, ReadyNodes: int32(len(nodes))}
	for _, n := range nodes {
		ng.Status.Nodes = append(ng.Status.Nodes, v1alpha1.GroupNode{
			Name: n.Name, ProviderID: n.Spec.ProviderID, Offering: current, Ready: true,
		})
	}
	_, err := sb.Autoscaler.NodeGroups(ng.Namespace).UpdateStatus(ctx, ng, metav1.UpdateOptions{})
	return err
}

// createNamespace creates the demo's namespace and waits for its default
// service account, without which no pod of a workload can be created.
func createNamespace(ctx context.Context, sb *sandbox.Sandbox, name string) error {
	_, err := sb.Client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if err != nil {
		return err
	}
	return wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := sb.Client.CoreV1().ServiceAccounts(name).Get(ctx, "default", metav1.GetOptions{})
		return err == nil, nil
	})
}

// rebalancing is the group's policy, set by its owner to let the chosen
// strategy show: the CRD's default surge of one node makes a surge plan a
// rolling one, so a surge group allows half the group at once; blue-green
// brings up the whole green set at once, so its surge covers the group.
// The plan may only tighten the group's policy, so the room is the
// group's to give, not an override's.
func rebalancing(cfg Config) v1alpha1.RebalancingPolicy {
	var p v1alpha1.RebalancingPolicy
	switch cfg.Strategy {
	case "surge":
		half := int32(cfg.Nodes+1) / 2
		p.MaxSurge, p.MaxConcurrent = half, half
	case "blue-green":
		p.MaxSurge = int32(cfg.Nodes)
	}
	return p
}
