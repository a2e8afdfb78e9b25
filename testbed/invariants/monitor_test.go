package invariants_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/vpsie/node-rebalancer/testbed/invariants"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/sandboxtest"
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

// A Deployment's own rollout replaces its pods without the Eviction API.
// One that surges (the new pod available before the old one goes, as the
// executor's rollout of a single replica does) keeps a PDB of
// minAvailable 1 and is no violation; one that deletes before it creates
// takes the workload below the budget and is.
func TestMonitorJudgesARolloutByTheBudgetItKeeps(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		maxSurge, maxUnavailable int32
		want                     []string
	}{
		"surging first keeps the budget":   {maxSurge: 1, maxUnavailable: 0, want: nil},
		"deleting first breaks the budget": {maxSurge: 0, maxUnavailable: 1, want: []string{"PDB"}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sb, ns := sandboxtest.Shared(), sandboxtest.Namespace(t)
			fixtures.CreateGroup(t, sb, fixtures.Group{Namespace: ns, Offering: fixtures.Standard8, Nodes: 2})
			dep := fixtures.Deployment(ns, "single", ns, 1)
			surge, unavailable := intstr.FromInt32(tc.maxSurge), intstr.FromInt32(tc.maxUnavailable)
			dep.Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDeployment{MaxSurge: &surge, MaxUnavailable: &unavailable}}
			w := fixtures.Workloads{Deployments: []*appsv1.Deployment{dep}, PDBs: []*policyv1.PodDisruptionBudget{fixtures.PDBMinAvailable(ns, "single", 1)}}
			w.Create(t, sb)
			w.WaitRunning(t, sb, 2)
			old := fixtures.WaitPodsRunning(t, sb, ns, "app=single", 1)[0]

			m, err := invariants.Start(t.Context(), invariants.Config{Client: sb.Client, Namespace: ns, Group: ns, Floor: 2})
			require.NoError(t, err)
			restart := []byte(`{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2027-01-15T08:00:00Z"}}}}}`)
			_, err = sb.Client.AppsV1().Deployments(ns).Patch(t.Context(), "single", types.StrategicMergePatchType, restart, metav1.PatchOptions{})
			require.NoError(t, err)
			fixtures.Eventually(t, "the old pod gone and a new one running", func(ctx context.Context) (bool, error) {
				pods, err := sb.Client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=single"})
				if err != nil {
					return false, err
				}
				return len(pods.Items) == 1 && pods.Items[0].UID != old.UID && fixtures.PodRunning(&pods.Items[0]), nil
			})

			var got []string
			for _, v := range m.Finish(t.Context()) {
				got = append(got, v.Invariant)
				t.Log(v)
			}
			require.Equal(t, tc.want, got)
		})
	}
}
