// Package rollout answers whether restarting a Deployment, as `kubectl
// rollout restart` does, moves its single pod without a moment of
// unavailability. The Executor moves such a pod by that rollout instead
// of an eviction; the Analyzer asks the same question, so that a budget
// the rollout never consults does not keep the pod's node from being a
// candidate. One answer for both, or the Analyzer would block nodes the
// Executor drains (or pass nodes it cannot).
package rollout

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/kube"
)

// Enabled reads the policy's rolloutSingleReplicaDeployments: unset means
// on, the NodeGroup's default (a plan written before the field existed,
// or by hand).
func Enabled(p *rebalancerv1.RebalancePolicy) bool {
	return p == nil || p.RolloutSingleReplicaDeployments == nil || p.GetRolloutSingleReplicaDeployments()
}

// defaultFencepost is what the API server puts in maxSurge and
// maxUnavailable when a RollingUpdate Deployment leaves them unset.
var defaultFencepost = intstr.FromString("25%")

// SurgesOneReplica reports whether a rollout of d moves its single pod
// without a moment of unavailability: the controller starts the new pod,
// waits until it is available, then deletes the old one. That needs one
// replica, not paused, and RollingUpdate whose fenceposts resolve, as the
// controller resolves them (see ResolveFenceposts), to maxUnavailable 0
// and maxSurge ≥ 1. When it does not, why says so for a single replica,
// naming the pod's Deployment as "its Deployment"; why is empty for other
// replica counts, which evictions serve.
func SurgesOneReplica(d *appsv1.Deployment) (ok bool, why string) {
	if kube.DesiredReplicas(d.Spec.Replicas) != 1 {
		return false, ""
	}
	if d.Spec.Paused {
		return false, "its Deployment is paused"
	}
	switch d.Spec.Strategy.Type {
	case appsv1.RollingUpdateDeploymentStrategyType, "": // unset is the API server's default
	default:
		return false, fmt.Sprintf("its Deployment's strategy is %s", d.Spec.Strategy.Type)
	}
	maxSurge, maxUnavailable := fenceposts(d.Spec.Strategy.RollingUpdate)
	surge, unavailable, err := ResolveFenceposts(&maxSurge, &maxUnavailable, 1)
	switch {
	case err != nil:
		return false, fmt.Sprintf("its Deployment's rolling update is invalid: %v", err)
	case unavailable > 0:
		return false, fmt.Sprintf("its Deployment's rollout would take it down (maxUnavailable %s resolves to %d)", maxUnavailable.String(), unavailable)
	case surge < 1:
		return false, fmt.Sprintf("its Deployment's rollout does not surge (maxSurge %s resolves to 0)", maxSurge.String())
	}
	return true, ""
}

// fenceposts reads maxSurge and maxUnavailable, each defaulted as the API
// server defaults it: an object built by hand, or by a fake client, may
// lack them.
func fenceposts(ru *appsv1.RollingUpdateDeployment) (maxSurge, maxUnavailable intstr.IntOrString) {
	maxSurge, maxUnavailable = defaultFencepost, defaultFencepost
	if ru == nil {
		return maxSurge, maxUnavailable
	}
	if ru.MaxSurge != nil {
		maxSurge = *ru.MaxSurge
	}
	if ru.MaxUnavailable != nil {
		maxUnavailable = *ru.MaxUnavailable
	}
	return maxSurge, maxUnavailable
}

// ResolveFenceposts resolves maxSurge and maxUnavailable for desired
// replicas as the Deployment controller does: maxSurge rounded up,
// maxUnavailable down, and both zero meaning one unavailable (rounding
// down may reach zero; the controller then takes one down rather than
// depend on room to surge). It is the arithmetic of ResolveFenceposts in
// k8s.io/kubectl/pkg/util/deployment, written out here so the Analyzer
// does not depend on kubectl and cli-runtime for ten lines; the
// Executor's tests hold the two equal.
func ResolveFenceposts(maxSurge, maxUnavailable *intstr.IntOrString, desired int32) (surge, unavailable int32, err error) {
	zero := intstr.FromInt32(0)
	s, err := intstr.GetScaledValueFromIntOrPercent(intstr.ValueOrDefault(maxSurge, zero), int(desired), true)
	if err != nil {
		return 0, 0, err
	}
	u, err := intstr.GetScaledValueFromIntOrPercent(intstr.ValueOrDefault(maxUnavailable, zero), int(desired), false)
	if err != nil {
		return 0, 0, err
	}
	if s == 0 && u == 0 {
		u = 1
	}
	return int32(s), int32(u), nil
}
