// Package lanes lays a plan of REPLACE batches out in lanes, the way the
// Executor runs it and the Planner expects it to run: one layout for both,
// so the Planner's expected duration walks the lanes the Executor will.
//
// The i-th node of a batch follows the i-th node of the batch it depends
// on, in the same lane: it starts as soon as that one node is done, not
// once its whole batch is. So max_concurrent (the batch width the Planner
// chains) is the number of lanes, and nodes in flight stay within it. A
// dependency on a batch of one node (the canary), on a batch that soaks,
// or on a batch without an i-th node is awaited whole, as in lock-step.
package lanes

import (
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// Slot is one node's place in a lane.
type Slot struct {
	// Batch is the index of the node's batch in the plan's batches.
	Batch int
	Node  *rebalancerv1.CandidateNode
	// Whole are the batch numbers awaited whole (and soaked) before the
	// node starts; the lane's previous node is awaited by running in order.
	Whole []int32
}

// Apply reports whether a plan runs in lanes: every batch replaces its
// nodes (rolling and surge). Blue-green's phases run as batches.
func Apply(batches []*rebalancerv1.NodeBatch) bool {
	for _, b := range batches {
		if b.GetPhase() != rebalancerv1.BatchPhase_BATCH_PHASE_REPLACE {
			return false
		}
	}
	return len(batches) > 0
}

// Layout assigns every node of the batches to a lane, in batch order.
func Layout(batches []*rebalancerv1.NodeBatch) [][]Slot {
	var lanes [][]Slot
	// laneAt[b][i] is the lane of batch b's i-th node; continued marks
	// nodes another one already follows.
	laneAt := make([][]int, len(batches))
	continued := map[[2]int]bool{}
	for b, batch := range batches {
		laneAt[b] = make([]int, len(batch.GetNodes()))
		for i, c := range batch.GetNodes() {
			slot := Slot{Batch: b, Node: c}
			lane := -1
			for _, dep := range batch.GetDependsOn() {
				d := int(dep) - 1
				if lane < 0 && followable(batches[d], i) && !continued[[2]int{d, i}] {
					lane, continued[[2]int{d, i}] = laneAt[d][i], true
					continue
				}
				slot.Whole = append(slot.Whole, dep)
			}
			if lane < 0 {
				lane = len(lanes)
				lanes = append(lanes, nil)
			}
			laneAt[b][i] = lane
			lanes[lane] = append(lanes[lane], slot)
		}
	}
	return lanes
}

// followable reports whether the i-th node of a batch depending on dep
// may follow dep's i-th node alone rather than await dep whole.
func followable(dep *rebalancerv1.NodeBatch, i int) bool {
	return len(dep.GetNodes()) > 1 && i < len(dep.GetNodes()) && dep.GetSoakTime().AsDuration() <= 0
}
