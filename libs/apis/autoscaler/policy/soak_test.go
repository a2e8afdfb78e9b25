package policy

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
)

func TestCanaryAndSoaksComeFromTheGroup(t *testing.T) {
	t.Parallel()
	off := FromSpec(v1alpha1.RebalancingPolicy{})
	require.False(t, off.GetCanary(), "no canary by default")
	require.Nil(t, off.GetCanarySoak())
	require.Nil(t, off.GetBatchSoakTime())

	minute := &metav1.Duration{Duration: time.Minute}
	on := FromSpec(v1alpha1.RebalancingPolicy{Canary: &v1alpha1.CanaryPolicy{Enabled: true, Soak: minute}, BatchSoakTime: minute})
	require.True(t, on.GetCanary())
	require.Equal(t, time.Minute, on.GetCanarySoak().AsDuration())
	require.Equal(t, time.Minute, on.GetBatchSoakTime().AsDuration())

	disabled := FromSpec(v1alpha1.RebalancingPolicy{Canary: &v1alpha1.CanaryPolicy{Soak: minute}})
	require.Nil(t, disabled.GetCanarySoak(), "a soak without the canary soaks nothing")
}

func TestTheHealthQueryComesFromTheGroup(t *testing.T) {
	t.Parallel()
	require.Nil(t, FromSpec(v1alpha1.RebalancingPolicy{}).GetHealthGate(), "none unless the group sets one")
	g := FromSpec(v1alpha1.RebalancingPolicy{HealthGate: &v1alpha1.HealthGate{PrometheusQuery: "job:errors:ratio", MaxValue: "0.05"}}).GetHealthGate()
	require.Equal(t, "job:errors:ratio", g.GetPrometheusQuery())
	require.InDelta(t, 0.05, g.GetMaxValue(), 1e-12)
	bad := FromSpec(v1alpha1.RebalancingPolicy{HealthGate: &v1alpha1.HealthGate{PrometheusQuery: "q", MaxValue: "lots"}}).GetHealthGate()
	require.Zero(t, bad.GetMaxValue(), "a maximum that is no number gates at the strictest")
}
