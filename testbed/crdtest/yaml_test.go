package crdtest_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/sandboxtest"
)

// What an operator would kubectl apply: values the Go types cannot even
// hold must be refused by the API server too, naming the field.
func TestNodeGroupYAMLIsValidatedByTheAPIServer(t *testing.T) {
	t.Parallel()
	ns := sandboxtest.Namespace(t)
	const manifest = `
apiVersion: autoscaler.vpsie.io/v1alpha1
kind: NodeGroup
metadata:
  name: web
spec:
  minNodes: 1
  maxNodes: 3
  datacenter: dc-1
  offeringIDs: [standard-8]
  rebalancing:
    strategy: sideways
    minHealthyPercent: 150
    drainTimeout: 5 minutes
    rolloutSingleReplicaDeployments: "yes"
    maintenanceWindows:
      - start: "2:00"
        end: "04:00"
        days: [Funday]
`
	obj := &unstructured.Unstructured{}
	require.NoError(t, yaml.Unmarshal([]byte(manifest), &obj.Object))

	_, err := sandboxtest.Shared().Dynamic.Resource(v1alpha1.NodeGroupResource).Namespace(ns).
		Create(t.Context(), obj, metav1.CreateOptions{})
	require.True(t, apierrors.IsInvalid(err), "want Invalid, got %v", err)
	for _, field := range []string{
		"spec.rebalancing.strategy",
		"spec.rebalancing.minHealthyPercent",
		"spec.rebalancing.drainTimeout",
		"spec.rebalancing.rolloutSingleReplicaDeployments",
		"spec.rebalancing.maintenanceWindows[0].start",
		"spec.rebalancing.maintenanceWindows[0].days[0]",
	} {
		require.Contains(t, err.Error(), field)
	}
}

// A group applied without provisioning is in the managed mode, which
// needs the cluster: the refusal names the field and says why.
func TestANodeGroupWithoutProvisioningNeedsItsCluster(t *testing.T) {
	t.Parallel()
	ns := sandboxtest.Namespace(t)
	const manifest = `
apiVersion: autoscaler.vpsie.io/v1alpha1
kind: NodeGroup
metadata:
  name: web
spec:
  minNodes: 1
  maxNodes: 3
  datacenter: dc-1
  offeringIDs: [standard-8]
`
	obj := &unstructured.Unstructured{}
	require.NoError(t, yaml.Unmarshal([]byte(manifest), &obj.Object))

	_, err := sandboxtest.Shared().Dynamic.Resource(v1alpha1.NodeGroupResource).Namespace(ns).
		Create(t.Context(), obj, metav1.CreateOptions{})
	require.True(t, apierrors.IsInvalid(err), "want Invalid, got %v", err)
	require.Contains(t, err.Error(), "spec.provisioning.clusterID")
	require.Contains(t, err.Error(), "clusterID is required in the managed mode")
}
