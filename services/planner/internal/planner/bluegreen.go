package planner

import (
	"fmt"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// blueGreen provisions the whole green set (PROVISION batches in lanes),
// then cordons every blue node as its first drain starts and drains them in
// sequential DRAIN batches, each followed by the policy's soak, then
// terminates blue (TERMINATE batches in lanes). Each node appears once per
// phase. With canary, one green node is provisioned and one blue node
// drained before the rest of their phase.
//
// Floor: the first drain waits for every PROVISION batch, so when all blue
// is cordoned each blue node has a Ready green node in its place and the
// count is back at its start value; terminations remove nodes already
// cordoned. Surge: the whole green set exists beside blue, so it must fit
// in max_surge, which the NodeGroup documents as bounding blue-green too.
type blueGreen struct{}

func (blueGreen) layout(n int, l limits) (layout, error) {
	if n > l.maxSurge {
		return layout{}, &UnmetPolicyError{Rule: "max_surge", Reason: fmt.Sprintf(
			"blue-green provisions all %d replacements before draining any blue node, above max_surge %d; "+
				"raise max_surge or use the surge strategy", n, l.maxSurge)}
	}
	size := min(l.batchSize, l.maxConcurrent)
	lanes := l.maxConcurrent / size
	all := positions(n)
	var b builder
	green := b.phase(rebalancerv1.BatchPhase_BATCH_PHASE_PROVISION, all, size, lanes, l.canary, false, nil)
	drain := b.phase(rebalancerv1.BatchPhase_BATCH_PHASE_DRAIN, all, size, 1, l.canary, true, green.tails)
	term := b.phase(rebalancerv1.BatchPhase_BATCH_PHASE_TERMINATE, all, size, lanes, false, false, drain.tails)
	return layout{
		batches:     b.batches,
		peakRunning: max(green.peak, drain.peak, term.peak),
		peakSurge:   n,
	}, nil
}
