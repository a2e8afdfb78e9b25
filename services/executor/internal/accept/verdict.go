package accept

import (
	"fmt"
	"strings"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/plancheck"
)

// Verdict refuses a plan whose analysis recommended POSTPONE (safe later:
// a window, a cooldown, a group not settled) or REJECT (not worth it, or
// not possible), naming each safety check the plan says did not pass. It
// comes before the plan's other rules, so whoever made such a plan learns
// what to wait for or fix rather than how the plan is formed.
func Verdict(p *rebalancerv1.RebalancePlan) error {
	v := p.GetAnalysisVerdict()
	if v != rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_POSTPONE && v != rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_REJECT {
		return nil
	}
	r := &Refusal{Rule: RuleVerdict}
	named := make([]string, len(p.GetFailedChecks()))
	for i, c := range p.GetFailedChecks() {
		outcome := plancheck.CheckOutcome(c)
		r.Details = append(r.Details, Detail{Kind: DetailSafetyCheck, Subject: c.GetName(), Description: outcome})
		named[i] = c.GetName() + " (" + outcome + ")"
	}
	if len(named) == 0 {
		r.Reason = fmt.Sprintf("the analysis of plan %s recommended %s; only PROCEED and NEEDS_REVIEW are executed",
			p.GetPlanId(), plancheck.VerdictName(v))
		return r
	}
	r.Reason = fmt.Sprintf("the analysis of plan %s recommended %s; only PROCEED and NEEDS_REVIEW are executed. "+
		"Safety checks that did not pass: %s", p.GetPlanId(), plancheck.VerdictName(v), strings.Join(named, "; "))
	return r
}

// NeedsApproval reports whether the plan waits for ApproveExecution: when
// it says so, and always when its analysis needs review, whatever the
// plan says, since the warnings are for an operator to read first.
func NeedsApproval(p *rebalancerv1.RebalancePlan) bool {
	return p.GetRequiresApproval() || p.GetAnalysisVerdict() == rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_NEEDS_REVIEW
}
