package plancheck

import (
	"strconv"
	"time"

	"google.golang.org/protobuf/proto"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// checkSoaks holds a plan's batches to the soaks its own policy asks for:
// a policy with a canary makes a canary plan, whose first batch that moves
// workloads soaks at least canary_soak, and every blue-green drain batch
// soaks at least batch_soak_time. A soak is where the Executor's health
// gate watches the moved workloads, so a plan that drops one skips it.
func checkSoaks(r *report, p *rebalancerv1.RebalancePlan) {
	policy := p.GetPolicy()
	if policy.GetCanary() && !p.GetCanary() {
		r.add("plan.canary", "is false but the plan's policy asks for a canary")
	}
	if p.GetCanary() {
		if i := firstMove(p.GetBatches()); i >= 0 {
			checkSoak(r, i, p.GetBatches()[i], policy.GetCanarySoak().AsDuration(), "canary_soak")
		}
	}
	for i, b := range p.GetBatches() {
		if b.GetPhase() == phaseDrain {
			checkSoak(r, i, b, policy.GetBatchSoakTime().AsDuration(), "batch_soak_time")
		}
	}
}

// firstMove is the index of the first batch that moves workloads (a
// REPLACE or a DRAIN batch), the canary's; -1 when none does.
func firstMove(batches []*rebalancerv1.NodeBatch) int {
	for i, b := range batches {
		if b.GetPhase() == rebalancerv1.BatchPhase_BATCH_PHASE_REPLACE || b.GetPhase() == phaseDrain {
			return i
		}
	}
	return -1
}

func checkSoak(r *report, i int, b *rebalancerv1.NodeBatch, least time.Duration, field string) {
	if got := b.GetSoakTime().AsDuration(); got < least {
		r.add(batchPath(i)+".soak_time", "is %s, shorter than the policy's %s %s", got, field, least)
	}
}

// loosenedSoaks lists the ways plan's canary, soaks and health query are
// looser than group's: a canary dropped, a soak shortened, the query
// dropped, changed or given a higher maximum.
func loosenedSoaks(group, plan *rebalancerv1.RebalancePolicy, add func(field, planValue, groupValue, why string)) {
	if group.GetCanary() && !plan.GetCanary() {
		add("canary", "false", "true", "the first node would not be replaced and soaked alone")
	}
	if p, g := plan.GetCanarySoak().AsDuration(), group.GetCanarySoak().AsDuration(); p < g {
		add("canary_soak", p.String(), g.String(), "the canary's workloads would be watched for less time")
	}
	if p, g := plan.GetBatchSoakTime().AsDuration(), group.GetBatchSoakTime().AsDuration(); p < g {
		add("batch_soak_time", p.String(), g.String(), "blue-green drains would be watched for less time")
	}
	pg, gg := plan.GetHealthGate(), group.GetHealthGate()
	if gg == nil || proto.Equal(pg, gg) {
		return
	}
	if pg.GetPrometheusQuery() != gg.GetPrometheusQuery() || pg.GetMaxValue() > gg.GetMaxValue() {
		add("health_gate", gateName(pg), gateName(gg), "a soak would not watch the group's health query as strictly")
	}
}

func gateName(g *rebalancerv1.HealthGate) string {
	if g == nil {
		return "none"
	}
	return strconv.Quote(g.GetPrometheusQuery()) + " ≤ " + strconv.FormatFloat(g.GetMaxValue(), 'g', -1, 64)
}
