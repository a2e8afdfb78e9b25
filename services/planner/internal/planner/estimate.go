package planner

import (
	"time"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// terminateAllowance is the time budgeted for deleting an old VM and its
// Node. The policy has no timeout for it; VPSie deletes a VM within about a
// minute and the Node goes with it.
const terminateAllowance = time.Minute

// batchDuration is a batch's estimate: the timeouts of its steps, which run
// for all its nodes at once. Timeouts bound each step, so this is the
// longest a batch takes without failing.
func batchDuration(phase rebalancerv1.BatchPhase, p *rebalancerv1.RebalancePolicy) time.Duration {
	provision := p.GetProvisionTimeout().AsDuration()
	drain := p.GetDrainTimeout().AsDuration()
	switch phase {
	case rebalancerv1.BatchPhase_BATCH_PHASE_REPLACE:
		return provision + drain + terminateAllowance
	case rebalancerv1.BatchPhase_BATCH_PHASE_PROVISION:
		return provision
	case rebalancerv1.BatchPhase_BATCH_PHASE_DRAIN:
		return drain
	case rebalancerv1.BatchPhase_BATCH_PHASE_TERMINATE:
		return terminateAllowance
	}
	return 0
}

// planDuration walks the batches as the Executor starts them: a batch
// starts at the later of its predecessor's start (batches start in order)
// and its dependencies' ends plus their soak. The plan ends with the
// latest batch end.
func planDuration(batches []*rebalancerv1.NodeBatch) time.Duration {
	start := make([]time.Duration, len(batches))
	end := make([]time.Duration, len(batches))
	var total time.Duration
	for i, b := range batches {
		if i > 0 {
			start[i] = start[i-1]
		}
		for _, dep := range b.GetDependsOn() {
			d := dep - 1
			start[i] = max(start[i], end[d]+batches[d].GetSoakTime().AsDuration())
		}
		end[i] = start[i] + b.GetEstimatedDuration().AsDuration()
		total = max(total, end[i])
	}
	return total
}
