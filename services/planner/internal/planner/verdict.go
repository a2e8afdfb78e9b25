package planner

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/proto"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/plancheck"
)

// checkVerdict refuses an analysis that does not recommend going ahead:
// POSTPONE (safe later: a window, a cooldown, a group that is not settled)
// and REJECT (not worth it or not possible). The refusal names every
// safety check that did not pass, which is what the caller has to wait
// for or fix. PROCEED and NEEDS_REVIEW are planned; an unset verdict is
// an analysis written by hand, planned as before.
func checkVerdict(a *rebalancerv1.RebalanceAnalysis) error {
	verdict := a.GetRecommendedAction()
	if verdict != rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_POSTPONE &&
		verdict != rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_REJECT {
		return nil
	}
	failed := failedChecks(a.GetSafetyChecks())
	err := &UnmetPolicyError{Rule: "recommended_action"}
	named := make([]string, len(failed))
	for i, c := range failed {
		d := Detail{Kind: DetailSafetyCheck, Subject: c.GetName(), Description: plancheck.CheckOutcome(c)}
		err.Details = append(err.Details, d)
		named[i] = d.Subject + " (" + d.Description + ")"
	}
	if len(failed) == 0 {
		err.Reason = fmt.Sprintf("the analysis recommends %s, though it lists no safety check that did not pass", plancheck.VerdictName(verdict))
		return err
	}
	err.Reason = fmt.Sprintf("the analysis recommends %s; safety checks that did not pass: %s",
		plancheck.VerdictName(verdict), strings.Join(named, "; "))
	return err
}

// failedChecks are copies of the checks whose status is not PASSED,
// warnings included, in the analysis' order: what the plan carries for
// the operator approving it.
func failedChecks(checks []*rebalancerv1.SafetyCheck) []*rebalancerv1.SafetyCheck {
	var out []*rebalancerv1.SafetyCheck
	for _, c := range checks {
		if c.GetStatus() != rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_PASSED {
			out = append(out, proto.CloneOf(c))
		}
	}
	return out
}

// requiresApproval: the policy's (with overrides), and always when the
// analysis needs review, since its warnings are for an operator to read
// before anything runs.
func requiresApproval(a *rebalancerv1.RebalanceAnalysis, p *rebalancerv1.RebalancePolicy) bool {
	return p.GetRequireApproval() ||
		a.GetRecommendedAction() == rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_NEEDS_REVIEW
}
