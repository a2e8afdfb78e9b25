package plancheck

import (
	"google.golang.org/protobuf/types/known/durationpb"
	"k8s.io/apimachinery/pkg/util/validation"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// checkHeader checks the plan's fields outside its batches and rollback.
func checkHeader(r *report, p *rebalancerv1.RebalancePlan) {
	if p.GetNamespace() == "" {
		r.add("plan.namespace", "is required")
	} else {
		for _, msg := range validation.IsDNS1123Label(p.GetNamespace()) {
			r.add("plan.namespace", "%q is not a namespace name: %s", p.GetNamespace(), msg)
		}
	}
	checkName(r, "plan.node_group", p.GetNodeGroup())
	checkOpportunity(r, p.GetOpportunity())
	if !knownStrategy(p.GetStrategy()) {
		r.add("plan.strategy", "is %s; want rolling, surge or blue-green", p.GetStrategy())
	}
	if p.GetPolicy() == nil {
		r.add("plan.policy", "is required: the limits are checked against it")
	}
	if p.GetGroupSize() < 1 {
		r.add("plan.group_size", "must be at least 1, got %d", p.GetGroupSize())
	}
	if len(p.GetBatches()) == 0 {
		r.add("plan.batches", "must hold at least one batch")
	}
	if p.GetCreatedAt() == nil {
		r.add("plan.created_at", "is required")
	} else if err := p.GetCreatedAt().CheckValid(); err != nil {
		r.add("plan.created_at", "%v", err)
	}
	checkDuration(r, "plan.estimated_duration", p.GetEstimatedDuration())
	checkVerdict(r, p)
}

// checkVerdict holds the plan to the analysis it was made from: only
// PROCEED and NEEDS_REVIEW are planned, and both the policy and a
// NEEDS_REVIEW verdict can require an approval, which the plan must then
// ask for. An unset verdict is a plan from before the field existed.
func checkVerdict(r *report, p *rebalancerv1.RebalancePlan) {
	switch v := p.GetAnalysisVerdict(); v {
	case rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_POSTPONE, rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_REJECT:
		r.add("plan.analysis_verdict", "is %s: only an analysis recommending PROCEED or NEEDS_REVIEW may be planned", v)
	}
	if p.GetRequiresApproval() {
		return
	}
	switch {
	case p.GetPolicy().GetRequireApproval():
		r.add("plan.requires_approval", "is false but the policy requires approval")
	case p.GetAnalysisVerdict() == rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_NEEDS_REVIEW:
		r.add("plan.requires_approval", "is false but the analysis needs review (NEEDS_REVIEW): such a plan waits for an approval")
	}
}

func checkOpportunity(r *report, o *rebalancerv1.Opportunity) {
	if o == nil {
		r.add("plan.opportunity", "is required")
		return
	}
	if o.GetCurrentOffering() == "" {
		r.add("plan.opportunity.current_offering", "is required")
	}
	if o.GetTargetOffering() == "" {
		r.add("plan.opportunity.target_offering", "is required")
	} else if o.GetTargetOffering() == o.GetCurrentOffering() {
		r.add("plan.opportunity.target_offering", "must differ from current_offering")
	}
}

// checkName checks a Kubernetes object name (DNS-1123 subdomain).
func checkName(r *report, field, name string) {
	if name == "" {
		r.add(field, "is required")
		return
	}
	for _, msg := range validation.IsDNS1123Subdomain(name) {
		r.add(field, "%q is not a valid name: %s", name, msg)
	}
}

// checkDuration accepts an unset duration; a set one must be valid and not negative.
func checkDuration(r *report, field string, d *durationpb.Duration) {
	if d == nil {
		return
	}
	if err := d.CheckValid(); err != nil {
		r.add(field, "%v", err)
	} else if d.AsDuration() < 0 {
		r.add(field, "must not be negative, got %s", d.AsDuration())
	}
}

func knownStrategy(s rebalancerv1.RebalanceStrategy) bool {
	switch s {
	case rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
		rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_SURGE,
		rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_BLUE_GREEN:
		return true
	}
	return false
}
