package policy

import (
	"strconv"

	"google.golang.org/protobuf/types/known/durationpb"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// canaryEnabled is the group's canary switch; no canary section is off.
func canaryEnabled(c *v1alpha1.CanaryPolicy) bool { return c != nil && c.Enabled }

// canarySoak is the group's canary soak, nil when the canary is off or
// sets none.
func canarySoak(c *v1alpha1.CanaryPolicy) *durationpb.Duration {
	if !canaryEnabled(c) {
		return nil
	}
	return optionalDuration(c.Soak)
}

// optionalDuration is d as a proto duration, nil when unset: no soak.
func optionalDuration(d *metav1.Duration) *durationpb.Duration {
	if d == nil {
		return nil
	}
	return durationpb.New(d.Duration)
}

// healthGate is the group's health query, nil when it sets none. The CRD's
// pattern makes MaxValue a number; one that is not (a hand-built object)
// gates at 0, the strictest reading, rather than not at all.
func healthGate(g *v1alpha1.HealthGate) *rebalancerv1.HealthGate {
	if g == nil || g.PrometheusQuery == "" {
		return nil
	}
	limit, err := strconv.ParseFloat(g.MaxValue, 64)
	if err != nil {
		limit = 0
	}
	return &rebalancerv1.HealthGate{PrometheusQuery: g.PrometheusQuery, MaxValue: limit}
}
