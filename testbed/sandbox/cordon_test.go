package sandbox_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/sandboxtest"
)

func TestCordonedNodeReceivesNoNewPods(t *testing.T) {
	t.Parallel()
	sb, ns := sandboxtest.Shared(), sandboxtest.Namespace(t)
	_, nodes := fixtures.CreateGroup(t, sb, fixtures.Group{Namespace: ns, Offering: fixtures.Compute4, Nodes: 2})
	cordon(t, sb, nodes[0].Name)

	_, err := sb.Client.AppsV1().Deployments(ns).Create(t.Context(), fixtures.Deployment(ns, "web", ns, 6), metav1.CreateOptions{})
	require.NoError(t, err)
	for _, pod := range fixtures.WaitPodsRunning(t, sb, ns, "app=web", 6) {
		require.Equal(t, nodes[1].Name, pod.Spec.NodeName, "pod %s", pod.Name)
	}
}
