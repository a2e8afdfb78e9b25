package planner

import (
	"time"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// The expected duration is the plan walked as the Executor runs it, each
// node's steps taking the group's measured times (the analysis'
// step_timings) rather than their timeouts. The walk mirrors the
// Executor's scheduler (services/executor/internal/engine: lanes.go,
// lanelayout.go, prefetch.go and schedule.go), which the Planner cannot
// import: when that scheduler changes, this walk must follow, or the
// forecast drifts from the measured wall time.

// stepCosts are one node's measured step times.
type stepCosts struct {
	provision, drain, terminate time.Duration
}

// costsOf is the analysis' measured step times; ok is false when it
// carries none, and the plan then has no expected duration.
func costsOf(t *rebalancerv1.StepTimings) (c stepCosts, ok bool) {
	if t.GetSampleNodes() <= 0 {
		return stepCosts{}, false
	}
	return stepCosts{t.GetProvision().AsDuration(), t.GetDrain().AsDuration(), t.GetTerminate().AsDuration()}, true
}

// expectedDuration is how long the plan takes at the measured step times:
// plans of REPLACE batches run in lanes, others (blue-green) as batches.
func expectedDuration(p *rebalancerv1.RebalancePlan, c stepCosts) time.Duration {
	batches := p.GetBatches()
	if allReplace(batches) {
		return walkLanes(batches, int(p.GetMaxSurge()), c)
	}
	return walkBatches(batches, int(p.GetMaxConcurrent()), c)
}

// allReplace reports whether the Executor runs the plan in lanes: every
// batch replaces its nodes (rolling and surge).
func allReplace(batches []*rebalancerv1.NodeBatch) bool {
	for _, b := range batches {
		if b.GetPhase() != rebalancerv1.BatchPhase_BATCH_PHASE_REPLACE {
			return false
		}
	}
	return len(batches) > 0
}

// phaseCost is what one node of a batch of phase costs, its soak
// included where the node soaks itself (a REPLACE node soaks after its
// drain and before its terminate, a blue-green drain after its drain).
func phaseCost(b *rebalancerv1.NodeBatch, c stepCosts) time.Duration {
	soak := b.GetSoakTime().AsDuration()
	switch b.GetPhase() {
	case rebalancerv1.BatchPhase_BATCH_PHASE_REPLACE:
		return c.provision + c.drain + soak + c.terminate
	case rebalancerv1.BatchPhase_BATCH_PHASE_PROVISION:
		return c.provision
	case rebalancerv1.BatchPhase_BATCH_PHASE_DRAIN:
		return c.drain + soak
	case rebalancerv1.BatchPhase_BATCH_PHASE_TERMINATE:
		return c.terminate
	}
	return 0
}

// walkBatches is the Executor's lock-step schedule (schedule.go
// runBatches): batches start in batch_number order, each once its
// dependencies ended and soaked (a DRAIN or REPLACE batch soaks inside,
// before it ends) and once max_concurrent has room for its nodes; all
// nodes of a batch run at once, so a batch lasts one node's cost.
func walkBatches(batches []*rebalancerv1.NodeBatch, maxConcurrent int, c stepCosts) time.Duration {
	limit := max(maxConcurrent, 1)
	end := make([]time.Duration, len(batches))
	type holding struct {
		until  time.Duration
		weight int
	}
	var running []holding // started batches still holding room, in no order
	free := limit
	var prevStart, total time.Duration
	for i, b := range batches {
		start := prevStart
		for _, dep := range b.GetDependsOn() {
			d := batches[dep-1]
			ready := end[dep-1]
			if !soaksInside(d) {
				ready += d.GetSoakTime().AsDuration()
			}
			start = max(start, ready)
		}
		weight := min(len(b.GetNodes()), limit)
		for free < weight {
			// The earliest-ending running batch gives its room back.
			k := 0
			for j := range running {
				if running[j].until < running[k].until {
					k = j
				}
			}
			start = max(start, running[k].until)
			free += running[k].weight
			running = append(running[:k], running[k+1:]...)
		}
		free -= weight
		end[i] = start + phaseCost(b, c)
		running = append(running, holding{end[i], weight})
		prevStart = start
		total = max(total, end[i])
	}
	return total
}

// soaksInside reports whether a batch's soak is its nodes' own, spent
// before it ends (the Executor's soaksInside).
func soaksInside(b *rebalancerv1.NodeBatch) bool {
	return b.GetPhase() == rebalancerv1.BatchPhase_BATCH_PHASE_REPLACE || b.GetPhase() == rebalancerv1.BatchPhase_BATCH_PHASE_DRAIN
}
