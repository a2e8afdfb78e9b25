package planner

import (
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// rolling replaces one batch at a time: a batch provisions its replacements,
// waits for them to be Ready, then cordons, drains and terminates its old
// nodes, and the next batch waits for it. A batch's nodes are replaced
// together, so max_concurrent caps the batch size.
//
// Floor: each old node is cordoned only once its replacement is Ready, so
// the count of Ready old nodes not yet cordoned plus Ready new ones rises by
// the batch and falls back by it: it never drops below its value at start.
// Surge: the batch's replacements, at most one batch size, exist beside
// their old nodes until those are terminated; within max_surge each lane
// of the Executor may make its next replacement while its old node
// drains (see aheadSurge).
type rolling struct{}

func (rolling) layout(n int, l limits) (layout, error) {
	size := min(l.batchSize, l.maxConcurrent)
	var b builder
	run := b.phase(rebalancerv1.BatchPhase_BATCH_PHASE_REPLACE, positions(n), size, 1, l.canary, false, nil)
	return layout{batches: b.batches, peakRunning: run.peak, peakSurge: aheadSurge(run.peak, l.maxSurge, n)}, nil
}

// aheadSurge is the surge a plan of lanes allows: its running peak (one
// replacement per lane), raised within max_surge by replacements the
// lanes make ahead, at most one per lane, never above the nodes there are.
func aheadSurge(peak, maxSurge, nodes int) int {
	return max(peak, min(maxSurge, 2*peak, nodes))
}
