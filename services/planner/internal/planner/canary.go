package planner

import (
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// wantsCanary: the group's policy asks for a canary in every plan
// (spec.rebalancing.canary.enabled), and a plan's override may add one
// where the group does not; it never removes the group's.
func wantsCanary(p *rebalancerv1.RebalancePolicy, o *rebalancerv1.PlanOverrides) bool {
	return p.GetCanary() || o.GetCanary()
}

// canarySoak is the soak after a batch: a canary batch that moves
// workloads (a replacement, or a blue-green drain) soaks at least the
// policy's canary_soak, so the rest of the plan starts only after the
// moved workloads ran that long on the new node. Other batches keep
// soak.
func canarySoak(spec batchSpec, soak *durationpb.Duration, p *rebalancerv1.RebalancePolicy) *durationpb.Duration {
	moves := spec.phase == rebalancerv1.BatchPhase_BATCH_PHASE_REPLACE || spec.phase == rebalancerv1.BatchPhase_BATCH_PHASE_DRAIN
	if !spec.canary || !moves || p.GetCanarySoak().AsDuration() <= soak.AsDuration() {
		return soak
	}
	return proto.CloneOf(p.GetCanarySoak())
}
