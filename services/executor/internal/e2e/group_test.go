package e2e

import (
	"context"
	"fmt"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
	"github.com/vpsie/node-rebalancer/testbed/vpsiesim"
)

const datacenter = catalog.NYC1

// current is the offering the tests' groups run, which plans replace.
const current = "standard-8"

// groupName is the NodeGroup the helpers act on: the one named after the
// namespace, unless the env was narrowed to another with inGroup.
func (e *env) groupName() string {
	if e.group == "" {
		return e.ns
	}
	return e.group
}

// inGroup is the env acting on another NodeGroup of the same namespace,
// for tests that run several groups at once; the sandbox, simulator,
// nats-server and Executor stay shared. The name must be unique across
// the tests running at the same time (nodes share the cluster), so derive
// it from the namespace.
func (e *env) inGroup(name string) *env {
	narrowed := *e
	narrowed.group = name
	return &narrowed
}

// createGroup creates a NodeGroup whose nodes run the offering, joined as
// kwok nodes, and returns the nodes once Ready: simulator VMs booted with
// the group's user data (vm mode, the default of these tests, whose
// faults name VMs by hostname), or nodes VPSie added to the group of the
// offering in a managed cluster of the test's own (managed mode).
func (e *env) createGroup(offering string, count int) []*corev1.Node {
	e.t.Helper()
	e.t.Cleanup(e.deleteGroupNodes)
	if e.managed {
		return e.createManagedGroup(offering, count)
	}
	ctx := e.t.Context()
	_, err := e.sb.Client.CoreV1().Secrets(e.ns).Create(ctx, fixtures.BootstrapSecret(e.ns, joinToken), metav1.CreateOptions{})
	if !apierrors.IsAlreadyExists(err) { // a second group of the namespace shares it
		require.NoError(e.t, err)
	}
	e.createNodeGroup(fixtures.VMProvisioning())
	o, err := e.cloud.GetOffering(ctx, datacenter, offering)
	require.NoError(e.t, err)
	labels := map[string]string{v1alpha1.LabelNodeGroup: e.groupName()}
	var nodes []*corev1.Node
	for i := range count {
		vm, err := e.cloud.CreateVM(ctx, cloud.CreateSpec{
			Hostname: fmt.Sprintf("%s-%d", e.groupName(), i), OfferingID: o.ID, Datacenter: datacenter,
			Labels: labels, UserData: vpsiesim.BootstrapUserData(joinToken, labels, nil),
		})
		require.NoError(e.t, err)
		nodes = append(nodes, e.waitJoined(vm.ProviderID()))
	}
	return nodes
}

// createNodeGroup creates the env's NodeGroup, provisioned as p says.
func (e *env) createNodeGroup(p v1alpha1.Provisioning) {
	e.t.Helper()
	g := fixtures.Group{Namespace: e.ns, Name: e.groupName(), Offering: fixtures.Standard8, Nodes: 1, Datacenter: datacenter,
		Provisioning: p}
	_, err := e.sb.Autoscaler.NodeGroups(e.ns).Create(e.t.Context(), g.NodeGroup(), metav1.CreateOptions{})
	require.NoError(e.t, err)
}

// createManagedGroup makes a managed cluster named after the test's
// namespace in the simulator, with a VPSie group of each size the tests
// move between, and adds count nodes to the offering's group; each is
// given the NodeGroup's label once it registers, as the cluster's owner
// does when grouping its nodes.
func (e *env) createManagedGroup(offering string, count int) []*corev1.Node {
	e.t.Helper()
	ctx := e.t.Context()
	cluster := e.sim.AddKubeCluster(e.ns, datacenter)
	groups := map[string]cloud.KubeGroup{}
	for _, size := range []string{current, "compute-4"} {
		g, err := e.sim.AddKubeGroup(cluster, "group-"+size, size)
		require.NoError(e.t, err)
		groups[size] = g
	}
	e.createNodeGroup(fixtures.ManagedProvisioning(e.ns))
	for range count {
		require.NoError(e.t, e.cloud.AddKubeNode(ctx, cluster, groups[offering].ID))
	}
	var nodes []*corev1.Node
	c, err := e.cloud.GetKubeCluster(ctx, cluster)
	require.NoError(e.t, err)
	require.Len(e.t, c.Nodes, count)
	for _, kn := range c.Nodes {
		node := e.waitRegistered(kn.Hostname, kn.ProviderID())
		patch := fmt.Sprintf(`{"metadata":{"labels":{%q:%q}}}`, v1alpha1.LabelNodeGroup, e.groupName())
		_, err := e.sb.Client.CoreV1().Nodes().Patch(ctx, node.Name, types.MergePatchType, []byte(patch), metav1.PatchOptions{})
		require.NoError(e.t, err)
		nodes = append(nodes, e.waitJoined(kn.ProviderID()))
	}
	return nodes
}

// waitRegistered waits for the Node of name to register with providerID.
func (e *env) waitRegistered(name, providerID string) *corev1.Node {
	e.t.Helper()
	var node *corev1.Node
	fixtures.Eventually(e.t, "node "+name+" registered", func(ctx context.Context) (bool, error) {
		n, err := e.sb.Client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		node = n
		return n.Spec.ProviderID == providerID, nil
	})
	return node
}

// waitJoined waits for the group's node of providerID to be Ready.
func (e *env) waitJoined(providerID string) *corev1.Node {
	e.t.Helper()
	var node *corev1.Node
	fixtures.Eventually(e.t, providerID+" joined", func(ctx context.Context) (bool, error) {
		list, err := e.sb.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: v1alpha1.LabelNodeGroup + "=" + e.groupName()})
		if err != nil {
			return false, err
		}
		for i := range list.Items {
			if list.Items[i].Spec.ProviderID == providerID && fixtures.NodeReady(&list.Items[i]) {
				node = &list.Items[i]
				return true, nil
			}
		}
		return false, nil
	})
	return node
}

// groupNodes lists the group's nodes now.
func (e *env) groupNodes() []corev1.Node {
	e.t.Helper()
	list, err := e.sb.Client.CoreV1().Nodes().List(e.t.Context(), metav1.ListOptions{LabelSelector: v1alpha1.LabelNodeGroup + "=" + e.groupName()})
	require.NoError(e.t, err)
	return list.Items
}

// deleteGroupNodes removes what the test left in the shared cluster.
func (e *env) deleteGroupNodes() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = e.sb.Client.CoreV1().Nodes().DeleteCollection(ctx, metav1.DeleteOptions{},
		metav1.ListOptions{LabelSelector: v1alpha1.LabelNodeGroup + "=" + e.groupName()})
}

var metav1CreateOptions = metav1.CreateOptions{}

func deleteNode(e *env, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = e.sb.Client.CoreV1().Nodes().Delete(ctx, name, metav1.DeleteOptions{})
}

// requireManagedReplacements checks a managed rebalance at VPSie: the old
// nodes left the cluster through the delete call, the replacements are
// the cluster's nodes of the target's group, each claimed once, and no
// node was added that the group does not run.
func (e *env) requireManagedReplacements(old []*corev1.Node) {
	e.t.Helper()
	c, err := e.cloud.GetKubeCluster(e.t.Context(), catalog.ID("cluster", e.ns))
	require.NoError(e.t, err)
	nodes := e.groupNodes()
	byProvider := map[string]corev1.Node{}
	for _, n := range nodes {
		byProvider[n.Spec.ProviderID] = n
	}
	require.Len(e.t, c.Nodes, len(old), "the cluster holds the group's nodes, no more")
	for _, kn := range c.Nodes {
		n, ok := byProvider[kn.ProviderID()]
		require.True(e.t, ok, "VPSie node %s is a node of the group", kn.Hostname)
		require.NotEmpty(e.t, n.Annotations[v1alpha1.AnnotationReplacementFor], "node %s was claimed", n.Name)
	}
	for _, o := range old {
		_, ok := byProvider[o.Spec.ProviderID]
		require.False(e.t, ok, "old node %s left the cluster", o.Name)
	}
}
