package sandbox_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/sandboxtest"
)

// The realistic mix comes up on kwok nodes that look like VPSie VMs.
func TestRealisticWorkloadsRunOnAGroup(t *testing.T) {
	t.Parallel()
	sb, ns := sandboxtest.Shared(), sandboxtest.Namespace(t)
	group := fixtures.Group{Namespace: ns, Offering: fixtures.Standard8, Nodes: 3}
	ng, nodes := fixtures.CreateGroup(t, sb, group)

	require.Len(t, ng.Status.Nodes, 3)
	require.EqualValues(t, 3, ng.Status.ReadyNodes)
	for _, n := range nodes {
		require.Equal(t, ns, n.Labels[v1alpha1.LabelNodeGroup])
		require.Equal(t, "standard-8", n.Labels[v1alpha1.LabelInstanceType])
		_, ok := v1alpha1.VMIdentifier(n.Spec.ProviderID)
		require.True(t, ok, n.Spec.ProviderID)
		require.Equal(t, "4", n.Status.Capacity.Cpu().String())
		require.Equal(t, "8Gi", n.Status.Capacity.Memory().String())
	}

	w := fixtures.Realistic(ns, ng.Name)
	w.Create(t, sb)
	w.WaitRunning(t, sb, len(nodes))
}
