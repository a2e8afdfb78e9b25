package engine

import (
	"context"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/nodestep"
)

// plannedSavings is what the plan set out to save a month, in cents,
// for the result to compare with the realized savings. A price that cannot
// be read (a target no longer sold anywhere) leaves it 0 and says so in
// the log: an execution's end never waits on a figure of comparison.
func (x *execution) plannedSavings(ctx context.Context, prices *nodestep.PriceList) int64 {
	planned, err := plannedSavings(ctx, prices, x.plan())
	if err != nil {
		x.deps.Logger.Warn("planned savings not priced", "execution", x.id(), "error", err)
		return 0
	}
	return planned
}

// plannedSavings is each node of the plan, once, from its offering to its
// planned target, priced from the same list as the realized savings.
func plannedSavings(ctx context.Context, prices *nodestep.PriceList, p *rebalancerv1.RebalancePlan) (int64, error) {
	var total int64
	seen := map[string]bool{}
	for _, b := range p.GetBatches() {
		for _, c := range b.GetNodes() {
			if seen[c.GetNodeName()] {
				continue // blue-green names a node in several batches
			}
			seen[c.GetNodeName()] = true
			saved, err := prices.Saving(ctx, nodestep.CurrentOffering(p, c), nodestep.TargetOffering(p, c))
			if err != nil {
				return 0, err
			}
			total += saved
		}
	}
	return total, nil
}
