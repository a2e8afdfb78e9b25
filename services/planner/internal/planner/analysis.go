package planner

import (
	"math"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// checkRequest finds what the request interceptor does not: content the
// Planner needs to be well-formed before it can plan deterministically.
// Policy counts of zero mean "unset" and take the NodeGroup defaults.
func checkRequest(a *rebalancerv1.RebalanceAnalysis, o *rebalancerv1.PlanOverrides) error {
	v := &violations{}
	if a == nil {
		v.add("analysis", "is required")
		return v.err()
	}
	v.atLeast("analysis.total_nodes", a.GetTotalNodes(), 1)
	if at := a.GetAnalyzedAt(); at == nil {
		v.add("analysis.analyzed_at", "is required: the plan's created_at is taken from it")
	} else if err := at.CheckValid(); err != nil {
		v.add("analysis.analyzed_at", "%v", err)
	}
	checkPolicy(v, "analysis.policy", a.GetPolicy())
	checkOverrides(v, "overrides", o)
	checkCandidates(v, a)
	return v.err()
}

func checkPolicy(v *violations, field string, p *rebalancerv1.RebalancePolicy) {
	v.atLeast(path(field, "batch_size"), p.GetBatchSize(), 0)
	v.atLeast(path(field, "max_concurrent"), p.GetMaxConcurrent(), 0)
	v.atLeast(path(field, "max_surge"), p.GetMaxSurge(), 0)
	if pct := p.GetMinHealthyPercent(); pct < 0 || pct > 100 {
		v.add(path(field, "min_healthy_percent"), "must be between 0 and 100, got %d", pct)
	}
	if _, ok := rebalancerv1.RebalanceStrategy_name[int32(p.GetStrategy())]; !ok {
		v.add(path(field, "strategy"), "unknown strategy %d", p.GetStrategy())
	}
	if _, ok := rebalancerv1.DrainTimeoutAction_name[int32(p.GetDrainTimeoutAction())]; !ok {
		v.add(path(field, "drain_timeout_action"), "unknown action %d", p.GetDrainTimeoutAction())
	}
	v.duration(path(field, "drain_timeout"), p.GetDrainTimeout())
	v.duration(path(field, "provision_timeout"), p.GetProvisionTimeout())
	v.duration(path(field, "batch_soak_time"), p.GetBatchSoakTime())
	v.duration(path(field, "canary_soak"), p.GetCanarySoak())
}

// checkOverrides repeats the interceptor's rules, so CreatePlan is safe to
// call from Go without it.
func checkOverrides(v *violations, field string, o *rebalancerv1.PlanOverrides) {
	if o == nil {
		return
	}
	if o.BatchSize != nil {
		v.atLeast(path(field, "batch_size"), o.GetBatchSize(), 1)
	}
	if o.MaxConcurrent != nil {
		v.atLeast(path(field, "max_concurrent"), o.GetMaxConcurrent(), 1)
	}
	if o.MaxSurge != nil {
		// 0 is a request the Planner refuses with FailedPrecondition
		// (see checkSurge), not a malformed one.
		v.atLeast(path(field, "max_surge"), o.GetMaxSurge(), 0)
	}
	if pct := o.GetMinHealthyPercent(); pct < 0 || pct > 100 {
		v.add(path(field, "min_healthy_percent"), "must be between 0 and 100, got %d", pct)
	}
	if _, ok := rebalancerv1.RebalanceStrategy_name[int32(o.GetStrategy())]; !ok {
		v.add(path(field, "strategy"), "unknown strategy %d", o.GetStrategy())
	}
	v.duration(path(field, "drain_timeout"), o.GetDrainTimeout())
	v.duration(path(field, "provision_timeout"), o.GetProvisionTimeout())
}

// checkCandidates: every candidate runs the opportunity's offering and moves
// to its target, names a VM of its own, and has a score that sorts. A
// candidate's field path is built only for a violation: most analyses have
// none, and formatting it for each of thousands of candidates was a tenth
// of CreatePlan's allocations.
func checkCandidates(v *violations, a *rebalancerv1.RebalanceAnalysis) {
	opp := a.GetOpportunity()
	vms := make(map[string]int, len(a.GetCandidateNodes()))
	for i, c := range a.GetCandidateNodes() {
		field := func(child string) string { return path(index("analysis.candidate_nodes", i), child) }
		if got := c.GetCurrentOffering(); got != opp.GetCurrentOffering() {
			v.add(field("current_offering"), "is %q but the opportunity replaces %q", got, opp.GetCurrentOffering())
		}
		if got := c.GetTargetOffering(); got != opp.GetTargetOffering() {
			v.add(field("target_offering"), "is %q but the opportunity moves to %q", got, opp.GetTargetOffering())
		}
		if s := c.GetPriorityScore(); math.IsNaN(s) || math.IsInf(s, 0) {
			v.add(field("priority_score"), "must be a finite number, got %v", s)
		}
		vm := c.GetVmIdentifier()
		if vm == "" {
			v.add(field("vm_identifier"), "is required: the old VM is deleted once replaced")
			continue
		}
		if first, dup := vms[vm]; dup {
			v.add(field("vm_identifier"), "%q is also the VM of %s", vm, index("analysis.candidate_nodes", first))
		}
		vms[vm] = i
	}
}
