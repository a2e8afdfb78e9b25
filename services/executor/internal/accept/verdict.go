package accept

import (
	"fmt"
	"strings"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
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
		outcome := checkOutcome(c)
		r.Details = append(r.Details, Detail{Kind: DetailSafetyCheck, Subject: c.GetName(), Description: outcome})
		named[i] = c.GetName() + " (" + outcome + ")"
	}
	if len(named) == 0 {
		r.Reason = fmt.Sprintf("the analysis of plan %s recommended %s; only PROCEED and NEEDS_REVIEW are executed",
			p.GetPlanId(), verdictName(v))
		return r
	}
	r.Reason = fmt.Sprintf("the analysis of plan %s recommended %s; only PROCEED and NEEDS_REVIEW are executed. "+
		"Safety checks that did not pass: %s", p.GetPlanId(), verdictName(v), strings.Join(named, "; "))
	return r
}

// NeedsApproval reports whether the plan waits for ApproveExecution: when
// it says so, and always when its analysis needs review, whatever the
// plan says, since the warnings are for an operator to read first.
func NeedsApproval(p *rebalancerv1.RebalancePlan) bool {
	return p.GetRequiresApproval() || p.GetAnalysisVerdict() == rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_NEEDS_REVIEW
}

// checkOutcome is "FAILED: <message>", or the status alone without one.
func checkOutcome(c *rebalancerv1.SafetyCheck) string {
	status := strings.TrimPrefix(c.GetStatus().String(), "SAFETY_CHECK_STATUS_")
	if c.GetMessage() == "" {
		return status
	}
	return status + ": " + c.GetMessage()
}

func verdictName(v rebalancerv1.RecommendedAction) string {
	return strings.TrimPrefix(v.String(), "RECOMMENDED_ACTION_")
}
