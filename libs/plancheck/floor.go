package plancheck

import (
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// checkFloor holds the plan to the capacity floor: min_healthy_nodes must be
// the policy's, and the Ready, schedulable nodes the schedule keeps at its
// low point must not fall below it.
//
// The count starts at ready_nodes_at_start. A REPLACE batch adds each
// replacement once Ready and only then cordons the old node, so it never
// lowers the count. Blue-green cordons every blue node when its first drain
// starts; the green nodes Ready by then are those of the PROVISION batches
// that drain waits for, so the low point is the start count minus the blue
// nodes plus those green ones.
func checkFloor(r *report, p *rebalancerv1.RebalancePlan, g graph, nodes nodeIndex) {
	if p.GetPolicy() == nil {
		return
	}
	want := MinHealthyNodes(p.GetPolicy().GetMinHealthyPercent(), p.GetGroupSize())
	if p.GetMinHealthyNodes() != want {
		r.add("plan.min_healthy_nodes", "is %d, want %d: ceil(%d%% of group_size %d)",
			p.GetMinHealthyNodes(), want, p.GetPolicy().GetMinHealthyPercent(), p.GetGroupSize())
	}
	ready := p.GetReadyNodesAtStart()
	if ready < p.GetTotalNodes() || ready > p.GetGroupSize() {
		r.add("plan.ready_nodes_at_start", "is %d; want between total_nodes %d and group_size %d",
			ready, p.GetTotalNodes(), p.GetGroupSize())
	}
	low := ready - int32(blueGreenShortfall(p, g, nodes))
	if low < want {
		r.add("plan.min_healthy_nodes", "the schedule keeps %d Ready, schedulable nodes at its low point (from %d at start), below the floor of %d",
			low, ready, want)
	}
}

// blueGreenShortfall is how many blue nodes the first drain cordons without
// a Ready green node in their place; zero for REPLACE plans.
func blueGreenShortfall(p *rebalancerv1.RebalancePlan, g graph, nodes nodeIndex) int {
	if !isBlueGreen(p) {
		return 0
	}
	for d, b := range p.GetBatches() {
		if b.GetPhase() != phaseDrain {
			continue
		}
		green := 0
		for j, pb := range p.GetBatches() {
			if pb.GetPhase() == phaseProvision && g.waitsFor(d, j) {
				green += len(pb.GetNodes())
			}
		}
		return max(0, len(nodes.names)-green)
	}
	return 0
}
