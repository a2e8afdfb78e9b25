package planner

import (
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// simStep is one thing the Executor does to every node of a batch.
type simStep int

const (
	provisionStep  simStep = iota // create the replacement VMs
	readyStep                     // the replacements join and are Ready
	cordonStep                    // cordon the batch's old nodes
	cordonBlueStep                // blue-green: cordon every blue node, once
	drainStep                     // evict the old nodes' pods
	terminateStep                 // delete the old VMs and Nodes
)

var stepsOf = map[rebalancerv1.BatchPhase][]simStep{
	rebalancerv1.BatchPhase_BATCH_PHASE_REPLACE:   {provisionStep, readyStep, cordonStep, drainStep, terminateStep},
	rebalancerv1.BatchPhase_BATCH_PHASE_PROVISION: {provisionStep, readyStep},
	rebalancerv1.BatchPhase_BATCH_PHASE_DRAIN:     {cordonBlueStep, drainStep},
	rebalancerv1.BatchPhase_BATCH_PHASE_TERMINATE: {terminateStep},
}

// bounds are what the simulation holds the schedule to, worked out by the
// test from the analysis and policy rather than read from the plan.
type bounds struct {
	readyAtStart, floor int
	maxConcurrent       int
	maxSurge            int // 0: unbounded (rolling)
}

// executorSim walks a plan as the Executor does: batches start in order,
// each once its dependencies are done, and rapid picks which running batch
// takes its next step. After every step it counts Ready, schedulable nodes
// (old ones not cordoned plus Ready new ones), replacements beside their
// old nodes, and nodes of running batches.
type executorSim struct {
	t                   *rapid.T
	plan                *rebalancerv1.RebalancePlan
	bounds              bounds
	started             int
	step                []int
	done                []bool
	replaced, cordoned  map[string]bool
	drained, terminated map[string]bool
	newVMs, newReady    int
	blueCordoned        bool
}

func simulate(t *rapid.T, plan *rebalancerv1.RebalancePlan, b bounds) {
	if inLanes(plan) {
		simulateLanes(t, plan, b)
		return
	}
	s := &executorSim{
		t: t, plan: plan, bounds: b,
		step: make([]int, len(plan.GetBatches())), done: make([]bool, len(plan.GetBatches())),
		replaced: map[string]bool{}, cordoned: map[string]bool{}, drained: map[string]bool{}, terminated: map[string]bool{},
	}
	for s.started < len(s.done) || s.running() > 0 {
		actions := s.actions()
		require.NotEmpty(t, actions, "deadlock: batch %d can never start", s.started+1)
		if a := actions[rapid.IntRange(0, len(actions)-1).Draw(t, "action")]; a < 0 {
			s.start()
		} else {
			s.advance(a)
		}
	}
	require.Len(t, s.terminated, int(plan.GetTotalNodes()), "every old node is gone at the end")
	require.Equal(t, int(plan.GetTotalNodes()), s.newReady, "every replacement is Ready at the end")
}

// actions: -1 starts the next batch when its dependencies are done; i
// advances running batch i.
func (s *executorSim) actions() []int {
	var out []int
	if s.started < len(s.done) && s.depsDone(s.started) {
		out = append(out, -1)
	}
	for i := range s.started {
		if !s.done[i] {
			out = append(out, i)
		}
	}
	return out
}

func (s *executorSim) depsDone(i int) bool {
	for _, d := range s.plan.GetBatches()[i].GetDependsOn() {
		if !s.done[d-1] {
			return false
		}
	}
	return true
}

func (s *executorSim) start() {
	s.started++
	require.LessOrEqual(s.t, s.running(), s.bounds.maxConcurrent, "nodes in running batches")
	require.LessOrEqual(s.t, s.running(), int(s.plan.GetMaxConcurrent()), "nodes in running batches against plan.max_concurrent")
}

func (s *executorSim) running() int {
	n := 0
	for i := range s.started {
		if !s.done[i] {
			n += len(s.plan.GetBatches()[i].GetNodes())
		}
	}
	return n
}
