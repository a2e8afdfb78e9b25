package facts_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"

	"github.com/vpsie/node-rebalancer/services/analyzer/internal/testobj"
)

// A pod's owner Deployment is asked, from the cache, whether a rollout of
// it surges (libs/rollout): the checks need it to know that the Executor
// moves such a pod without an eviction.
func TestAPodKnowsWhetherItsDeploymentSurges(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		replicas int32
		edit     func(d *appsv1.Deployment)
		surges   bool
		noSurge  string
	}{
		"one replica with the API server's defaults surges": {replicas: 1, surges: true},
		"one replica under Recreate does not, and says why": {replicas: 1,
			edit: func(d *appsv1.Deployment) {
				d.Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}
			},
			noSurge: "its Deployment's strategy is Recreate"},
		"one paused replica does not": {replicas: 1, edit: func(d *appsv1.Deployment) { d.Spec.Paused = true },
			noSurge: "its Deployment is paused"},
		"several replicas are evicted, with nothing to say": {replicas: 3},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d, rs, pods := testobj.Deployment("shop", "api", tc.replicas, "web-0")
			if tc.edit != nil {
				tc.edit(d)
			}
			m := gatherOne(t, testobj.Node("web-0", "web", "standard-8"), "standard-8", d, rs, pods[0])
			require.Len(t, m.Pods, 1)
			require.Equal(t, tc.surges, m.Pods[0].Surges)
			require.Equal(t, tc.noSurge, m.Pods[0].NoSurge)
		})
	}
}

func TestAPodOfADeploymentMissingFromTheCacheDoesNotSurge(t *testing.T) {
	t.Parallel()
	_, rs, pods := testobj.Deployment("shop", "api", 1, "web-0")
	m := gatherOne(t, testobj.Node("web-0", "web", "standard-8"), "standard-8", rs, pods[0])
	require.Len(t, m.Pods, 1)
	require.False(t, m.Pods[0].Surges, "unknown: evicted, as its budgets are asked")
}
