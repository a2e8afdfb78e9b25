package invariants_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/vpsie/node-rebalancer/libs/invariants"
	"github.com/vpsie/node-rebalancer/libs/sandbox/fixtures"
	"github.com/vpsie/node-rebalancer/libs/sandbox/sandboxtest"
)

func TestMain(m *testing.M) { sandboxtest.Main(m) }

// The monitor must be able to fail: a cordon without a replacement breaks
// the floor and make before break, a pod deleted past its PDB breaks the
// budget, and a cordon left at the end is stranded.
func TestMonitorCatchesEachBrokenInvariant(t *testing.T) {
	t.Parallel()
	sb, ns := sandboxtest.Shared(), sandboxtest.Namespace(t)
	_, nodes := fixtures.CreateGroup(t, sb, fixtures.Group{Namespace: ns, Offering: fixtures.Standard8, Nodes: 2})
	dep := fixtures.Deployment(ns, "web", ns, 2)
	w := fixtures.Workloads{Deployments: []*appsv1.Deployment{dep}, PDBs: []*policyv1.PodDisruptionBudget{fixtures.PDBMinAvailable(ns, "web", 2)}}
	w.Create(t, sb)
	w.WaitRunning(t, sb, 2)

	m, err := invariants.Start(t.Context(), invariants.Config{
		Client: sb.Client, Namespace: ns, Group: ns, Floor: 2, OldNodes: []string{nodes[0].Name},
	})
	require.NoError(t, err)
	cordon := []byte(`{"spec":{"unschedulable":true}}`)
	_, err = sb.Client.CoreV1().Nodes().Patch(t.Context(), nodes[0].Name, types.StrategicMergePatchType, cordon, metav1.PatchOptions{})
	require.NoError(t, err)
	pods := fixtures.WaitPodsRunning(t, sb, ns, "app=web", 2)
	require.NoError(t, sb.Client.CoreV1().Pods(ns).Delete(context.Background(), pods[0].Name, metav1.DeleteOptions{}))

	got := map[string]bool{}
	for _, v := range m.Finish(t.Context()) {
		got[v.Invariant] = true
	}
	require.Equal(t, map[string]bool{"capacity floor": true, "make before break": true, "PDB": true, "no stranded cordons": true}, got)
}
