package planner

import (
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// A strategy lays the ordered candidates out in batches under the policy's
// limits. It decides from its arguments only, so the same input gives the
// same layout; a limit it cannot keep is an *UnmetPolicyError.
type strategy interface {
	layout(candidates int, l limits) (layout, error)
}

// limits are the policy's numbers a strategy works within.
type limits struct {
	batchSize, maxConcurrent, maxSurge int
	// canary makes the first batch a single node that the others wait for.
	canary bool
}

func limitsOf(p *rebalancerv1.RebalancePolicy, canary bool) limits {
	return limits{
		batchSize:     int(p.GetBatchSize()),
		maxConcurrent: int(p.GetMaxConcurrent()),
		maxSurge:      int(p.GetMaxSurge()),
		canary:        canary,
	}
}

// layout is a strategy's answer, in plain values: batches over positions in
// the ordered candidates, and the peaks its structure allows.
type layout struct {
	batches []batchSpec
	// peakRunning is the most nodes in batches running at once.
	peakRunning int
	// peakSurge is the most replacements existing beside their old nodes.
	peakSurge int
}

// batchSpec is one batch before it is rendered into the API's NodeBatch.
type batchSpec struct {
	phase     rebalancerv1.BatchPhase
	positions []int
	dependsOn []int32
	// soak: dependants wait the policy's batch_soak_time after this batch.
	soak bool
	// canary: the single-node batch the rest of its phase waits for;
	// dependants wait the policy's canary_soak after it (canary.go).
	canary bool
}

func strategyFor(s rebalancerv1.RebalanceStrategy) strategy {
	switch s {
	case rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_SURGE:
		return surge{}
	case rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_BLUE_GREEN:
		return blueGreen{}
	default:
		return rolling{}
	}
}

// StrategyName is the strategy as the NodeGroup CRD spells it, for metrics and logs.
func StrategyName(s rebalancerv1.RebalanceStrategy) string {
	switch s {
	case rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING:
		return "rolling"
	case rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_SURGE:
		return "surge"
	case rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_BLUE_GREEN:
		return "blue-green"
	}
	return "unspecified"
}
