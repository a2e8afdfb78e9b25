package apivalidate

import (
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

func analyzeRebalance(v *violations, r *rebalancerv1.AnalyzeRebalanceRequest) {
	v.namespace("namespace", r.GetNamespace())
	v.objectName("node_group", r.GetNodeGroup())
	opportunity(v, "opportunity", r.GetOpportunity())
}

func validateRebalanceSafety(v *violations, r *rebalancerv1.ValidateRebalanceSafetyRequest) {
	v.namespace("namespace", r.GetNamespace())
	v.objectName("node_group", r.GetNodeGroup())
	if v.fits("node_names", len(r.GetNodeNames()), MaxNodeNames) {
		v.uniqueNames("node_names", r.GetNodeNames())
	}
}

func opportunity(v *violations, field string, o *rebalancerv1.Opportunity) {
	if o == nil {
		v.add(field, "is required")
		return
	}
	v.offering(path(field, "current_offering"), o.GetCurrentOffering())
	v.offering(path(field, "target_offering"), o.GetTargetOffering())
	if o.GetCurrentOffering() != "" && o.GetCurrentOffering() == o.GetTargetOffering() {
		v.add(path(field, "target_offering"), "must differ from current_offering")
	}
	for i, alt := range o.GetAlternativeOfferings() {
		v.offering(index(path(field, "alternative_offerings"), i), alt)
	}
	if o.GetClaimedMonthlySavingsCents() < 0 {
		v.add(path(field, "claimed_monthly_savings_cents"), "must not be negative")
	}
	if c := o.GetConfidence(); c < 0 || c > 1 {
		v.add(path(field, "confidence"), "must be between 0 and 1, got %g", c)
	}
}
