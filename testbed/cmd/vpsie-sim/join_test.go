package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/libs/kube"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/sandboxtest"
	"github.com/vpsie/node-rebalancer/testbed/vpsiesim"
)

const (
	bootDelay = time.Second
	joinToken = "abcdef.0123456789abcdef"
)

func TestAWrongTokenGetsAnErrorEnvelope(t *testing.T) {
	t.Parallel()
	url := startCommand(t)
	_, err := client(t, url, "wrong-token").ListVMs(t.Context())
	require.True(t, cloud.IsUnauthorized(err), "got %v", err)
}

// TestACreatedVMJoinsTheSandboxAndLeavesWithItsDeletion is the check on
// bin/vpsie-sim: found by hostname, Ready within the boot delay plus 5 s,
// and its Node gone once the VM is deleted.
func TestACreatedVMJoinsTheSandboxAndLeavesWithItsDeletion(t *testing.T) {
	t.Parallel()
	sb, ns := sandboxtest.Shared(), sandboxtest.Namespace(t)
	url := startCommand(t, "--kubeconfig", sb.KubeconfigPath, "--boot-delay", bootDelay.String(), "--join-token", joinToken)
	c := client(t, url, testToken)
	labels := map[string]string{v1alpha1.LabelNodeGroup: ns}
	spec := cloud.CreateSpec{
		Hostname: ns + "-web-1", OfferingID: catalog.ID("offering", "compute-4"), Datacenter: catalog.NYC1,
		Labels: labels, UserData: vpsiesim.BootstrapUserData(joinToken, labels, nil),
	}

	start := time.Now()
	vm, err := c.CreateVM(t.Context(), spec)
	require.NoError(t, err)
	found, err := c.FindVM(t.Context(), spec.Hostname)
	require.NoError(t, err)
	require.Equal(t, vm.ID, found.ID)

	var node *corev1.Node
	require.Eventually(t, func() bool {
		node, err = sb.Client.CoreV1().Nodes().Get(t.Context(), spec.Hostname, metav1.GetOptions{})
		return err == nil && kube.NodeReady(node)
	}, bootDelay+5*time.Second, 50*time.Millisecond, "Ready within the boot delay plus 5s")
	t.Logf("join: node %s Ready %s after create (boot delay %s)", node.Name, time.Since(start).Round(10*time.Millisecond), bootDelay)
	require.Equal(t, vm.ProviderID(), node.Spec.ProviderID)
	require.Equal(t, ns, node.Labels[v1alpha1.LabelNodeGroup])
	require.Equal(t, "compute-4", node.Labels[v1alpha1.LabelInstanceType])

	require.NoError(t, c.DeleteVM(t.Context(), vm.ID))
	_, err = sb.Client.CoreV1().Nodes().Get(t.Context(), spec.Hostname, metav1.GetOptions{})
	require.True(t, apierrors.IsNotFound(err), "the Node is gone once the delete returns: %v", err)
}

func TestWithoutAKubeconfigVMsBootButJoinNothing(t *testing.T) {
	t.Parallel()
	sb, ns := sandboxtest.Shared(), sandboxtest.Namespace(t)
	c := client(t, startCommand(t, "--boot-delay", "50ms"), testToken)
	spec := cloud.CreateSpec{Hostname: ns + "-alone", OfferingID: catalog.ID("offering", "standard-2"), Datacenter: catalog.NYC1}
	_, err := c.CreateVM(t.Context(), spec)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		vm, err := c.FindVM(t.Context(), spec.Hostname)
		return err == nil && vm.Status == cloud.VMRunning
	}, 5*time.Second, 20*time.Millisecond, "it boots")
	require.Never(t, func() bool {
		_, err := sb.Client.CoreV1().Nodes().Get(t.Context(), spec.Hostname, metav1.GetOptions{})
		return err == nil
	}, 500*time.Millisecond, 50*time.Millisecond)
}
