package demo

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud"
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

// createGroup creates the NodeGroup, then its nodes as simulator VMs (so
// terminating one deletes a real VM, and savings and orphans are counted
// from the simulator), waits for every VM to join as a Ready node, and
// records the members in the group's status as its controller would.
func createGroup(ctx context.Context, cfg Config, sb *sandbox.Sandbox, vms cloud.Provider) ([]*corev1.Node, error) {
	g := fixtures.Group{Namespace: cfg.Namespace, Offering: fixtures.Standard8, Nodes: cfg.Nodes, Datacenter: datacenter,
		Rebalancing: rebalancing(cfg)}
	ng, err := sb.Autoscaler.NodeGroups(cfg.Namespace).Create(ctx, g.NodeGroup(), metav1.CreateOptions{})
	if err != nil {
		return nil, fmt.Errorf("create NodeGroup: %w", err)
	}
	o, err := vms.GetOffering(ctx, datacenter, current)
	if err != nil {
		return nil, err
	}
	created := make([]cloud.VM, 0, cfg.Nodes)
	for i := range cfg.Nodes {
		vm, err := vms.CreateVM(ctx, cloud.CreateSpec{
			Hostname: fmt.Sprintf("%s-%s-%d", ng.Name, current, i), OfferingID: o.ID, Datacenter: datacenter,
			Labels: map[string]string{v1alpha1.LabelNodeGroup: ng.Name},
		})
		if err != nil {
			return nil, fmt.Errorf("create VM: %w", err)
		}
		created = append(created, vm)
	}
	nodes, err := waitJoined(ctx, sb, ng.Name, created)
	if err != nil {
		return nil, err
	}
	cfg.logf("%d VMs of %s ($%.2f/month each) joined as Ready nodes", len(nodes), current, o.MonthlyPrice)
	return nodes, recordMembers(ctx, sb, ng, nodes)
}

// waitJoined waits until each VM is a Ready node of the group.
func waitJoined(ctx context.Context, sb *sandbox.Sandbox, group string, vms []cloud.VM) ([]*corev1.Node, error) {
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
		for _, vm := range vms {
			if n := byProvider[vm.ProviderID()]; n != nil {
				nodes = append(nodes, n)
			}
		}
		return len(nodes) == len(vms), nil
	})
	if err != nil {
		return nil, fmt.Errorf("%d of %d VMs joined as Ready nodes: %w", len(nodes), len(vms), err)
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
