package apivalidate

import (
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

func createPlan(v *violations, r *rebalancerv1.CreatePlanRequest) {
	analysis(v, "analysis", r.GetAnalysis())
	overrides(v, "overrides", r.GetOverrides())
}

// validatePlan only needs a plan to look at: what is wrong inside it is the
// RPC's answer, not a malformed request.
func validatePlan(v *violations, r *rebalancerv1.ValidatePlanRequest) {
	if r.GetPlan() == nil {
		v.add("plan", "is required")
	}
}

func analysis(v *violations, field string, a *rebalancerv1.RebalanceAnalysis) {
	if a == nil {
		v.add(field, "is required")
		return
	}
	v.namespace(path(field, "namespace"), a.GetNamespace())
	v.objectName(path(field, "node_group"), a.GetNodeGroup())
	opportunity(v, path(field, "opportunity"), a.GetOpportunity())
	candidates := path(field, "candidate_nodes")
	if v.fits(candidates, len(a.GetCandidateNodes()), MaxCandidateNodes) {
		names := make([]string, len(a.GetCandidateNodes()))
		for i, c := range a.GetCandidateNodes() {
			names[i] = c.GetNodeName()
		}
		v.uniqueNames(candidates, names)
		if a.GetTotalNodes() < int32(len(names)) {
			v.add(path(field, "total_nodes"), "is %d, fewer than the %d candidates", a.GetTotalNodes(), len(names))
		}
	}
	v.fits(path(field, "safety_checks"), len(a.GetSafetyChecks()), MaxSafetyChecks)
	if a.GetPolicy() == nil {
		v.add(path(field, "policy"), "is required")
	}
	for i, alt := range a.GetPolicy().GetAlternativeOfferings() {
		v.offering(index(path(field, "policy.alternative_offerings"), i), alt)
	}
}

func overrides(v *violations, field string, o *rebalancerv1.PlanOverrides) {
	if o == nil {
		return
	}
	if o.BatchSize != nil && o.GetBatchSize() < 1 {
		v.add(path(field, "batch_size"), "must be at least 1, got %d", o.GetBatchSize())
	}
	if o.MaxConcurrent != nil && o.GetMaxConcurrent() < 1 {
		v.add(path(field, "max_concurrent"), "must be at least 1, got %d", o.GetMaxConcurrent())
	}
	if o.MaxSurge != nil && o.GetMaxSurge() < 0 {
		v.add(path(field, "max_surge"), "must not be negative, got %d", o.GetMaxSurge())
	}
	if p := o.GetMinHealthyPercent(); o.MinHealthyPercent != nil && (p < 0 || p > 100) {
		v.add(path(field, "min_healthy_percent"), "must be between 0 and 100, got %d", p)
	}
	if _, ok := rebalancerv1.RebalanceStrategy_name[int32(o.GetStrategy())]; !ok {
		v.add(path(field, "strategy"), "unknown strategy %d", o.GetStrategy())
	}
	positiveDuration(v, path(field, "drain_timeout"), o.GetDrainTimeout())
	positiveDuration(v, path(field, "provision_timeout"), o.GetProvisionTimeout())
}
