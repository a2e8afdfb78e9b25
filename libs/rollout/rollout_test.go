package rollout_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/rollout"
)

// A rollout moves a single replica without downtime only when the
// controller surges first: the fenceposts resolve as the Deployment
// controller resolves them (maxSurge up, maxUnavailable down, both zero
// meaning one unavailable). Each case changes one thing of a one-replica
// RollingUpdate Deployment with the API server's defaults.
func TestSurgeDecisionFollowsTheDeploymentController(t *testing.T) {
	t.Parallel()
	pct := func(s string) *intstr.IntOrString { v := intstr.FromString(s); return &v }
	num := func(n int32) *intstr.IntOrString { v := intstr.FromInt32(n); return &v }
	rolling := func(surge, unavailable *intstr.IntOrString) func(*appsv1.Deployment) {
		return func(d *appsv1.Deployment) {
			d.Spec.Strategy.RollingUpdate = &appsv1.RollingUpdateDeployment{MaxSurge: surge, MaxUnavailable: unavailable}
		}
	}
	for name, tc := range map[string]struct {
		change func(*appsv1.Deployment)
		want   bool
		why    string // a part of the reason given, for a single replica not rolled out
	}{
		"the defaults 25%/25% surge 1, unavailable 0":                {change: func(*appsv1.Deployment) {}, want: true},
		"unset fenceposts are the API server's 25%/25%":              {change: rolling(nil, nil), want: true},
		"no rolling update at all is the API server's 25%/25%":       {change: func(d *appsv1.Deployment) { d.Spec.Strategy.RollingUpdate = nil }, want: true},
		"an unset strategy type is RollingUpdate":                    {change: func(d *appsv1.Deployment) { d.Spec.Strategy.Type = "" }, want: true},
		"maxSurge 1, maxUnavailable 0":                               {change: rolling(num(1), num(0)), want: true},
		"maxSurge 100%, maxUnavailable 0%":                           {change: rolling(pct("100%"), pct("0%")), want: true},
		"maxUnavailable 99% rounds down to 0":                        {change: rolling(pct("1%"), pct("99%")), want: true},
		"maxUnavailable 1 takes the only replica down":               {change: rolling(num(1), num(1)), why: "maxUnavailable 1 resolves to 1"},
		"maxUnavailable 100% takes it down":                          {change: rolling(pct("25%"), pct("100%")), why: "resolves to 1"},
		"maxSurge 0 with maxUnavailable 1 deletes first":             {change: rolling(num(0), num(1)), why: "resolves to 1"},
		"both 0% resolve to one unavailable, as the controller does": {change: rolling(pct("0%"), pct("0%")), why: "maxUnavailable 0% resolves to 1"},
		"a malformed percentage":                                     {change: rolling(pct("lots"), num(0)), why: "invalid"},
		"Recreate deletes before it creates": {change: func(d *appsv1.Deployment) {
			d.Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}
		}, why: "strategy is Recreate"},
		"a paused Deployment does not roll out": {change: func(d *appsv1.Deployment) { d.Spec.Paused = true }, why: "paused"},
		"two replicas are served by evictions":  {change: func(d *appsv1.Deployment) { d.Spec.Replicas = proto.Int32(2) }},
		"no replica has no pod to move":         {change: func(d *appsv1.Deployment) { d.Spec.Replicas = proto.Int32(0) }},
		"unset replicas mean one":               {change: func(d *appsv1.Deployment) { d.Spec.Replicas = nil }, want: true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := singleReplica()
			tc.change(d)
			ok, why := rollout.SurgesOneReplica(d)
			require.Equal(t, tc.want, ok, why)
			if tc.why == "" {
				require.Empty(t, why)
			} else {
				require.Contains(t, why, tc.why)
			}
		})
	}
}

// singleReplica is Deployment shop/web as the API server stores it:
// one replica, RollingUpdate 25%/25%.
func singleReplica() *appsv1.Deployment {
	quarter := intstr.FromString("25%")
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop", UID: "dep-web"},
		Spec: appsv1.DeploymentSpec{
			Replicas: proto.Int32(1),
			Strategy: appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDeployment{MaxSurge: &quarter, MaxUnavailable: &quarter}},
		},
	}
}

func TestAnUnsetPolicyRollsOut(t *testing.T) {
	t.Parallel()
	require.True(t, rollout.Enabled(nil), "no policy")
	require.True(t, rollout.Enabled(&rebalancerv1.RebalancePolicy{}), "a plan written before the field existed")
	require.True(t, rollout.Enabled(&rebalancerv1.RebalancePolicy{RolloutSingleReplicaDeployments: proto.Bool(true)}))
	require.False(t, rollout.Enabled(&rebalancerv1.RebalancePolicy{RolloutSingleReplicaDeployments: proto.Bool(false)}))
}
