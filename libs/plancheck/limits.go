package plancheck

import (
	"strconv"
	"strings"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// checkLimits holds the plan to its policy: batch size, nodes in running
// batches (max_concurrent) and replacements beside their old nodes (max_surge).
func checkLimits(r *report, p *rebalancerv1.RebalancePlan, g graph, nodes nodeIndex) {
	policy := p.GetPolicy()
	for i, b := range p.GetBatches() {
		if policy != nil && int32(len(b.GetNodes())) > policy.GetBatchSize() {
			r.add(batchPath(i)+".nodes", "holds %d nodes, above the policy's batch_size %d", len(b.GetNodes()), policy.GetBatchSize())
		}
	}
	peak, running := g.peak()
	if int32(peak) > p.GetMaxConcurrent() {
		r.add("plan.max_concurrent", "is %d but batches %s may run at once with %d nodes", p.GetMaxConcurrent(), numbers(running), peak)
	}
	if policy != nil && p.GetMaxConcurrent() > policy.GetMaxConcurrent() {
		r.add("plan.max_concurrent", "is %d, above the policy's max_concurrent %d", p.GetMaxConcurrent(), policy.GetMaxConcurrent())
	}
	surge := surgePeak(p, peak, nodes)
	if int32(surge) > p.GetMaxSurge() {
		r.add("plan.max_surge", "is %d but the batches keep up to %d replacements beside their old nodes", p.GetMaxSurge(), surge)
	}
	bounded := p.GetStrategy() != rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING
	if bounded && policy != nil && p.GetMaxSurge() > policy.GetMaxSurge() {
		r.add("plan.max_surge", "is %d, above the policy's max_surge %d", p.GetMaxSurge(), policy.GetMaxSurge())
	}
}

// surgePeak is the most replacement VMs existing beside their old nodes. A
// REPLACE batch holds one per node from its start to its end, so it is the
// running peak. Blue-green provisions the whole green set before it
// terminates any blue node (checkOrder holds it to that), so it is every node.
func surgePeak(p *rebalancerv1.RebalancePlan, running int, nodes nodeIndex) int {
	if isBlueGreen(p) {
		return len(nodes.names)
	}
	return running
}

// numbers renders batch indexes as their numbers, "3, 4".
func numbers(indexes []int) string {
	parts := make([]string, len(indexes))
	for k, i := range indexes {
		parts[k] = strconv.Itoa(i + 1)
	}
	return strings.Join(parts, ", ")
}
