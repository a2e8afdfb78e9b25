package e2e

import (
	"context"
	"fmt"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
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

// createGroup creates a NodeGroup whose nodes are simulator VMs of the
// offering, joined as kwok nodes, and returns the nodes once Ready.
func (e *env) createGroup(offering string, count int) []*corev1.Node {
	e.t.Helper()
	ctx := e.t.Context()
	g := fixtures.Group{Namespace: e.ns, Name: e.groupName(), Offering: fixtures.Standard8, Nodes: count, Datacenter: datacenter}
	_, err := e.sb.Autoscaler.NodeGroups(e.ns).Create(ctx, g.NodeGroup(), metav1.CreateOptions{})
	require.NoError(e.t, err)
	o, err := e.cloud.GetOffering(ctx, datacenter, offering)
	require.NoError(e.t, err)
	e.t.Cleanup(e.deleteGroupNodes)
	var nodes []*corev1.Node
	for i := range count {
		vm, err := e.cloud.CreateVM(ctx, cloud.CreateSpec{
			Hostname: fmt.Sprintf("%s-%d", e.groupName(), i), OfferingID: o.ID, Datacenter: datacenter,
			Labels: map[string]string{v1alpha1.LabelNodeGroup: e.groupName()},
		})
		require.NoError(e.t, err)
		nodes = append(nodes, e.waitJoined(vm))
	}
	return nodes
}

// waitJoined waits for the VM's node to be Ready.
func (e *env) waitJoined(vm cloud.VM) *corev1.Node {
	e.t.Helper()
	var node *corev1.Node
	fixtures.Eventually(e.t, "VM "+vm.Hostname+" joined", func(ctx context.Context) (bool, error) {
		list, err := e.sb.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: v1alpha1.LabelNodeGroup + "=" + e.groupName()})
		if err != nil {
			return false, err
		}
		for i := range list.Items {
			if list.Items[i].Spec.ProviderID == vm.ProviderID() && fixtures.NodeReady(&list.Items[i]) {
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
