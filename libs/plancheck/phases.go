package plancheck

import (
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

const (
	phaseReplace   = rebalancerv1.BatchPhase_BATCH_PHASE_REPLACE
	phaseProvision = rebalancerv1.BatchPhase_BATCH_PHASE_PROVISION
	phaseDrain     = rebalancerv1.BatchPhase_BATCH_PHASE_DRAIN
	phaseTerminate = rebalancerv1.BatchPhase_BATCH_PHASE_TERMINATE
)

// phasesOf lists the phases a strategy's plan is made of; every planned node
// appears exactly once in each of them.
func phasesOf(s rebalancerv1.RebalanceStrategy) []rebalancerv1.BatchPhase {
	switch s {
	case rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING, rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_SURGE:
		return []rebalancerv1.BatchPhase{phaseReplace}
	case rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_BLUE_GREEN:
		return []rebalancerv1.BatchPhase{phaseProvision, phaseDrain, phaseTerminate}
	}
	return nil
}

func isBlueGreen(p *rebalancerv1.RebalancePlan) bool {
	return p.GetStrategy() == rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_BLUE_GREEN
}

func checkPhase(r *report, i int, phase rebalancerv1.BatchPhase, s rebalancerv1.RebalanceStrategy) {
	allowed := phasesOf(s)
	if allowed == nil {
		return // the unknown strategy is reported once, on plan.strategy
	}
	for _, a := range allowed {
		if phase == a {
			return
		}
	}
	r.add(batchPath(i)+".phase", "is %s, which a %s plan does not use (want %v)", phase, s, allowed)
}

// checkEveryPhase reports a node missing from one of its strategy's phases:
// a blue-green node provisioned but never drained would be left cordoned.
func checkEveryPhase(r *report, s rebalancerv1.RebalanceStrategy, idx nodeIndex) {
	for _, name := range idx.names {
		for _, phase := range phasesOf(s) {
			if _, ok := idx.batchOf[phase][name]; !ok {
				r.add(idx.firstPath[name]+".node_name", "%q has no %s batch: every node goes through each phase once", name, phase)
			}
		}
	}
}
