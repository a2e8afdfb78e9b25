package chaos

import (
	"context"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/libs/kube"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
	"github.com/vpsie/node-rebalancer/testbed/vpsiesim"
)

// The group runs the design's expensive offering and moves to the cheap one.
const (
	datacenter = catalog.NYC1
	current    = "standard-8"
	target     = "compute-4"
)

// joinWait bounds the wait for the group's first nodes to join.
const joinWait = time.Minute

// managedGroupName is the VPSie group of an offering in a run's managed
// cluster; the cluster is the run's own, so the names may repeat.
func managedGroupName(offering string) string { return "group-" + offering }

// createGroup creates the run's NodeGroup and its nodes as simulator
// machines (so terminating one deletes a real VM and orphans are counted
// at VPSie), and returns the nodes once Ready.
func (r *run) createGroup(ctx context.Context) ([]*corev1.Node, error) {
	if r.sc.Mode == "managed" {
		return r.createManagedGroup(ctx)
	}
	secret := fixtures.BootstrapSecret(r.ns, joinToken)
	if _, err := r.sb.Client.CoreV1().Secrets(r.ns).Create(ctx, secret, metav1.CreateOptions{}); err != nil {
		return nil, fmt.Errorf("bootstrap secret: %w", err)
	}
	if err := r.createNodeGroup(ctx, fixtures.VMProvisioning()); err != nil {
		return nil, err
	}
	o, err := r.cloud.GetOffering(ctx, datacenter, current)
	if err != nil {
		return nil, err
	}
	labels := map[string]string{v1alpha1.LabelNodeGroup: r.ns}
	var ids []string
	for i := range r.sc.Size {
		vm, err := r.cloud.CreateVM(ctx, cloud.CreateSpec{
			Hostname: fmt.Sprintf("%s-%d", r.ns, i), OfferingID: o.ID, Datacenter: datacenter,
			Labels: labels, UserData: vpsiesim.BootstrapUserData(joinToken, labels, nil),
		})
		if err != nil {
			return nil, fmt.Errorf("create VM: %w", err)
		}
		ids = append(ids, vm.ProviderID())
	}
	return r.waitJoined(ctx, ids)
}

// createManagedGroup makes a managed cluster named after the run in the
// simulator, with a VPSie group of each offering, and adds the nodes to
// the current offering's; each is given the NodeGroup's label once it
// registers, as the cluster's owner does when grouping its nodes.
func (r *run) createManagedGroup(ctx context.Context) ([]*corev1.Node, error) {
	cluster := r.sim.AddKubeCluster(r.ns, datacenter)
	groups := map[string]cloud.KubeGroup{}
	for _, size := range []string{current, target} {
		g, err := r.sim.AddKubeGroup(cluster, managedGroupName(size), size)
		if err != nil {
			return nil, err
		}
		groups[size] = g
	}
	if err := r.createNodeGroup(ctx, fixtures.ManagedProvisioning(r.ns)); err != nil {
		return nil, err
	}
	for range r.sc.Size {
		if err := r.cloud.AddKubeNode(ctx, cluster, groups[current].ID); err != nil {
			return nil, fmt.Errorf("add managed node: %w", err)
		}
	}
	c, err := r.cloud.GetKubeCluster(ctx, cluster)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, kn := range c.Nodes {
		if err := r.labelWhenRegistered(ctx, kn.Hostname); err != nil {
			return nil, err
		}
		ids = append(ids, kn.ProviderID())
	}
	return r.waitJoined(ctx, ids)
}

func (r *run) createNodeGroup(ctx context.Context, p v1alpha1.Provisioning) error {
	g := fixtures.Group{Namespace: r.ns, Offering: fixtures.Standard8, Nodes: r.sc.Size, Datacenter: datacenter, Provisioning: p}
	_, err := r.sb.Autoscaler.NodeGroups(r.ns).Create(ctx, g.NodeGroup(), metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("create NodeGroup: %w", err)
	}
	return nil
}

// labelWhenRegistered puts the group's label on the node of name once it
// registered.
func (r *run) labelWhenRegistered(ctx context.Context, name string) error {
	patch := fmt.Appendf(nil, `{"metadata":{"labels":{%q:%q}}}`, v1alpha1.LabelNodeGroup, r.ns)
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, joinWait, true, func(ctx context.Context) (bool, error) {
		_, err := r.sb.Client.CoreV1().Nodes().Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{})
		return err == nil, nil //nolint:nilerr // not registered yet: poll again until the timeout
	})
	if err != nil {
		return fmt.Errorf("node %s never registered: %w", name, err)
	}
	return nil
}

// waitJoined waits until the machine of each provider ID is a Ready node
// of the group.
func (r *run) waitJoined(ctx context.Context, providerIDs []string) ([]*corev1.Node, error) {
	var nodes []*corev1.Node
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, joinWait, true, func(ctx context.Context) (bool, error) {
		list, err := r.groupNodes(ctx)
		if err != nil {
			return false, nil //nolint:nilerr // the API server may be busy: poll again until the timeout
		}
		ready := map[string]*corev1.Node{}
		for i := range list {
			if kube.NodeReady(&list[i]) {
				ready[list[i].Spec.ProviderID] = &list[i]
			}
		}
		nodes = nodes[:0]
		for _, id := range providerIDs {
			if n := ready[id]; n != nil {
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

// groupNodes lists the group's nodes now.
func (r *run) groupNodes(ctx context.Context) ([]corev1.Node, error) {
	list, err := r.sb.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: v1alpha1.LabelNodeGroup + "=" + r.ns})
	if err != nil {
		return nil, err
	}
	return list.Items, nil
}

// deleteNodes removes the run's nodes from the shared cluster: the
// group's, and managed nodes (named after the run's cluster) never
// claimed. The simulator that booted them is gone with the run.
func (r *run) deleteNodes(ctx context.Context) error {
	list, err := r.sb.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for _, n := range list.Items {
		if n.Labels[v1alpha1.LabelNodeGroup] != r.ns && !strings.HasPrefix(n.Name, r.ns+"-") {
			continue
		}
		err := r.sb.Client.CoreV1().Nodes().Delete(ctx, n.Name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return err
		}
	}
	return nil
}
