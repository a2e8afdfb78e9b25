package planner

import (
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/lanes"
)

// The Executor runs a plan of REPLACE batches (rolling, surge) in lanes:
// the i-th node of a batch follows the i-th node of the batch it depends
// on, in one lane, and starts as soon as that node is done; a dependency
// on a batch of one node (the canary), a soaking batch or a batch without
// an i-th node is awaited whole. While a lane's old node drains, the lane
// may make its next replacement when a surge slot is free. laneSim walks
// a plan that way, rapid picking which lane moves, and holds every
// moment to the floor, the surge bound and the lanes' concurrency.

// simNode is one node of a lane.
type simNode struct {
	name  string
	batch int
	whole []int32
	step  int // next of provisionStep..terminateStep to apply
}

type laneSim struct {
	*executorSim
	lanes     [][]*simNode
	cur       []int
	remaining []int
}

var laneSteps = []simStep{provisionStep, readyStep, cordonStep, drainStep, terminateStep}

func inLanes(plan *rebalancerv1.RebalancePlan) bool { return lanes.Apply(plan.GetBatches()) }

// simLanes lays the plan out in lanes as the Executor does (libs/lanes).
func simLanes(plan *rebalancerv1.RebalancePlan) [][]*simNode {
	laid := lanes.Layout(plan.GetBatches())
	out := make([][]*simNode, len(laid))
	for i, lane := range laid {
		for _, slot := range lane {
			out[i] = append(out[i], &simNode{name: slot.Node.GetNodeName(), batch: slot.Batch, whole: slot.Whole})
		}
	}
	return out
}

func simulateLanes(t *rapid.T, plan *rebalancerv1.RebalancePlan, b bounds) {
	s := &laneSim{executorSim: &executorSim{t: t, plan: plan, bounds: b, done: make([]bool, len(plan.GetBatches())),
		replaced: map[string]bool{}, cordoned: map[string]bool{}, drained: map[string]bool{}, terminated: map[string]bool{}}}
	s.lanes = simLanes(plan)
	s.cur = make([]int, len(s.lanes))
	for _, batch := range plan.GetBatches() {
		s.remaining = append(s.remaining, len(batch.GetNodes()))
	}
	for {
		moves := s.moves()
		if len(moves) == 0 {
			break
		}
		moves[rapid.IntRange(0, len(moves)-1).Draw(t, "move")]()
		s.checkLanes()
	}
	require.Len(t, s.terminated, int(plan.GetTotalNodes()), "every old node is gone at the end: no lane deadlocks")
	require.Equal(t, int(plan.GetTotalNodes()), s.newReady, "every replacement is Ready at the end")
}

// moves are the steps the lanes may take now: the current node's next
// step, or the next node's make steps while the current one drains.
func (s *laneSim) moves() []func() {
	var out []func()
	for l, lane := range s.lanes {
		if s.cur[l] >= len(lane) {
			continue
		}
		if n := lane[s.cur[l]]; s.may(n) {
			out = append(out, func() { s.apply(l, n) })
		}
		if s.cur[l]+1 < len(lane) && lane[s.cur[l]].step > 2 { // current cordoned: draining
			if next := lane[s.cur[l]+1]; next.step < 2 && s.may(next) {
				out = append(out, func() { s.apply(l, next) })
			}
		}
	}
	return out
}

// may reports whether n's next step may happen: it starts once the
// batches it awaits are done and a surge slot is free.
func (s *laneSim) may(n *simNode) bool {
	if n.step > 0 {
		return true
	}
	for _, dep := range n.whole {
		if !s.done[dep-1] {
			return false
		}
	}
	return s.newVMs-len(s.terminated) < int(s.plan.GetMaxSurge())
}

func (s *laneSim) apply(l int, n *simNode) {
	s.executorSim.apply(laneSteps[n.step], n.name)
	n.step++
	if n.step == len(laneSteps) {
		s.cur[l]++
		s.remaining[n.batch]--
		s.done[n.batch] = s.remaining[n.batch] == 0
	}
}

// checkLanes holds the moment to the floor and surge (checkCounts) and
// to max_concurrent: old nodes being broken (cordoned, not yet gone).
func (s *laneSim) checkLanes() {
	s.checkCounts()
	breaking := len(s.cordoned) - len(s.terminated)
	require.LessOrEqual(s.t, breaking, int(s.plan.GetMaxConcurrent()), "old nodes being broken against plan.max_concurrent")
	require.LessOrEqual(s.t, breaking, s.bounds.maxConcurrent, "old nodes being broken against the policy")
}
