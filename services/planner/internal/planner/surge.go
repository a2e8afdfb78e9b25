package planner

import (
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// surge provisions replacements ahead of the drains: batches run side by
// side in lanes, so while one batch drains its old nodes the next ones are
// already provisioning. The replacements existing beside their old nodes are
// those of the running batches, so lanes × batch size stays within both
// max_surge and max_concurrent.
//
// Floor: as in rolling, each batch cordons an old node only once its own
// replacement is Ready, so however the lanes interleave, every cordon is
// matched by a Ready new node and the count never drops below its start.
type surge struct{}

func (surge) layout(n int, l limits) (layout, error) {
	bound := min(l.maxConcurrent, l.maxSurge)
	size := min(l.batchSize, bound)
	lanes := bound / size
	var b builder
	run := b.phase(rebalancerv1.BatchPhase_BATCH_PHASE_REPLACE, positions(n), size, lanes, l.canary, false, nil)
	return layout{batches: b.batches, peakRunning: run.peak, peakSurge: aheadSurge(run.peak, l.maxSurge, n)}, nil
}
