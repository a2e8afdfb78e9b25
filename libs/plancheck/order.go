package plancheck

import (
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// checkOrder holds the batches to make before break and to the canary.
// REPLACE batches make before break inside themselves (the Executor cordons
// an old node only once its replacement is Ready), so only blue-green's
// phases need ordering: every drain after the whole green set, and every
// termination after that node's drain.
func checkOrder(r *report, p *rebalancerv1.RebalancePlan, g graph, nodes nodeIndex) {
	if isBlueGreen(p) {
		checkDrainsAfterGreen(r, p, g)
		checkTerminationsAfterDrain(r, p, g, nodes)
	}
	if p.GetCanary() {
		checkCanary(r, p, g)
	}
}

func checkDrainsAfterGreen(r *report, p *rebalancerv1.RebalancePlan, g graph) {
	for d, b := range p.GetBatches() {
		if b.GetPhase() != phaseDrain {
			continue
		}
		if missing := notAwaited(p, g, d, phaseProvision); len(missing) > 0 {
			r.add(batchPath(d)+".depends_on", "drains blue nodes before the whole green set is Ready: it does not wait for PROVISION batches %s", numbers(missing))
		}
	}
}

// notAwaited lists the batches of a phase that batch i does not wait for.
func notAwaited(p *rebalancerv1.RebalancePlan, g graph, i int, phase rebalancerv1.BatchPhase) []int {
	var missing []int
	for j, b := range p.GetBatches() {
		if b.GetPhase() == phase && !g.waitsFor(i, j) {
			missing = append(missing, j)
		}
	}
	return missing
}

func checkTerminationsAfterDrain(r *report, p *rebalancerv1.RebalancePlan, g graph, nodes nodeIndex) {
	for t, b := range p.GetBatches() {
		if b.GetPhase() != phaseTerminate {
			continue
		}
		for j, n := range b.GetNodes() {
			d, ok := nodes.batchOf[phaseDrain][n.GetNodeName()]
			if ok && !g.waitsFor(t, d) {
				r.add(nodePath(t, j), "%q would be terminated before its drain (batch %d) completes", n.GetNodeName(), d+1)
			}
		}
	}
}

// checkCanary: the canary batch is a single node, and everything else waits
// for it, so a bad target offering or workload shows on one node only.
func checkCanary(r *report, p *rebalancerv1.RebalancePlan, g graph) {
	batches := p.GetBatches()
	if len(batches) == 0 {
		return
	}
	if n := len(batches[0].GetNodes()); n != 1 {
		r.add(batchPath(0)+".nodes", "holds %d nodes but a canary plan starts with a single node", n)
	}
	for i := 1; i < len(batches); i++ {
		if !g.waitsFor(i, 0) {
			r.add(batchPath(i)+".depends_on", "does not wait for the canary batch 1")
		}
	}
}
