package analysis

import (
	"time"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// terminateAllowance is the time for deleting an old VM and its Node, as
// the Planner budgets it.
const terminateAllowance = time.Minute

// estimate is a rough duration of replacing n nodes under the policy, by
// the timeouts that bound each step (as the Planner estimates a plan):
// rolling and surge run waves of provision, drain and terminate; blue-green
// provisions all, drains batch by batch with their soak, then terminates.
func estimate(p *rebalancerv1.RebalancePolicy, n int) time.Duration {
	if n == 0 {
		return 0
	}
	provision, drain := p.GetProvisionTimeout().AsDuration(), p.GetDrainTimeout().AsDuration()
	size := max(1, min(int(p.GetBatchSize()), int(p.GetMaxConcurrent())))
	waves := func(perWave int) time.Duration { return time.Duration((n + perWave - 1) / perWave) }
	switch p.GetStrategy() {
	case rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_SURGE:
		bound := max(1, min(int(p.GetMaxConcurrent()), int(p.GetMaxSurge())))
		return waves(bound) * (provision + drain + terminateAllowance)
	case rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_BLUE_GREEN:
		lanes := max(1, int(p.GetMaxConcurrent())/size) * size
		soak := p.GetBatchSoakTime().AsDuration()
		return waves(lanes)*provision + waves(size)*(drain+soak) + waves(lanes)*terminateAllowance
	default:
		return waves(size) * (provision + drain + terminateAllowance)
	}
}
